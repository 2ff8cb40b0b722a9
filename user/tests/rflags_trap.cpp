// Sets the trap flag (single-step) in user mode and must die of the debug exception that follows
// (status -1001), leaving the kernel untouched. Its first start handle is a channel on which one
// byte picks how: 0 plain instructions, 1 a system call right after popfq, 2 a blocking sleep.

#include <poplar/channel.h>
#include <poplar/start.h>

namespace {

constexpr u64 trap_flag = 1 << 8;

// TF set by popfq traps after the instruction that follows it.
void trap_on_plain_instructions() {
    asm volatile(
        "lea -128(%%rsp), %%rsp\n\t"
        "pushfq\n\t"
        "orq %[trap], (%%rsp)\n\t"
        "popfq\n\t"
        "nop\n\t"
        "nop\n\t"
        "lea 128(%%rsp), %%rsp"
        :
        : [trap] "i"(trap_flag)
        : "memory", "cc");
}

// The system call is the instruction right after popfq, so it runs with TF set.
void trap_on_syscall(poplar::abi::Syscall call, u64 argument) {
    u64 number = static_cast<u64>(call);
    asm volatile(
        "lea -128(%%rsp), %%rsp\n\t"
        "pushfq\n\t"
        "orq %[trap], (%%rsp)\n\t"
        "popfq\n\t"
        "syscall\n\t"
        "nop\n\t"
        "lea 128(%%rsp), %%rsp"
        : "+a"(number), "+D"(argument)
        : [trap] "i"(trap_flag)
        : "rcx", "r11", "rdx", "memory", "cc");
}

}  // namespace

int main(const poplar::abi::StartInfo& start_info) {
    if (start_info.handle_count < 1) return 3;
    poplar::Channel channel(start_info.handles[0]);
    u8 mode = 0;
    if (channel.receive(base::Bytes(&mode, 1)).is_error()) return 4;
    using poplar::abi::Syscall;
    if (mode == 0) trap_on_plain_instructions();
    if (mode == 1) trap_on_syscall(Syscall::clock_read, 0);
    if (mode == 2) trap_on_syscall(Syscall::sleep, poplar::sys::deadline_after(5'000'000));
    return 5;  // still alive: the trap never came
}
