// Executes ud2: the task must die with an invalid-opcode fault (-1006).

#include <poplar/print.h>
#include <poplar/start.h>

int main(const poplar::abi::StartInfo&) {
    poplar::println("fault_invalid_opcode: executing ud2");
    asm volatile("ud2");
    return 99;
}
