// Writes to kernel memory: the task must die with a page fault (status -1014).

#include <poplar/print.h>
#include <poplar/start.h>

int main(const poplar::abi::StartInfo&) {
    poplar::println("fault_kernel_write: writing to 0xffffffff80000000");
    *reinterpret_cast<volatile u64*>(0xffffffff80000000) = 1;
    return 99;
}
