// Divides by zero: the task must die with a divide error (-1000).

#include <poplar/print.h>
#include <poplar/start.h>

int main(const poplar::abi::StartInfo&) {
    poplar::println("fault_divide: dividing by zero");
    asm volatile("xorl %%ecx, %%ecx\n\txorl %%edx, %%edx\n\tmovl $1, %%eax\n\tdivl %%ecx" ::: "rax", "rcx", "rdx");
    return 99;
}
