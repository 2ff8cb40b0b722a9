// Jumps to a non-canonical address: the task must die with a general-protection fault (-1013).

#include <poplar/print.h>
#include <poplar/start.h>

int main(const poplar::abi::StartInfo&) {
    poplar::println("fault_jump: jumping to 0x8000000000000000");
    asm volatile("movabsq $0x8000000000000000, %%rax\n\tjmp *%%rax" ::: "rax", "memory");
    return 99;
}
