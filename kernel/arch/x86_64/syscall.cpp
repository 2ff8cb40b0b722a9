// From the syscall entry's frame to the portable handler and back.

#include <arch/syscall.h>
#include <sched/scheduler.h>
#include <syscall/syscall.h>

namespace x86_64 {

// What syscall_entry.S saves, lowest address first.
struct SyscallFrame {
    u64 rax;
    u64 arguments[6];  // rdi, rsi, rdx, r10, r8, r9; rdx doubles as the second result
    u64 rip, rflags, rsp;
};

}  // namespace x86_64

extern "C" void syscall_dispatch(x86_64::SyscallFrame* frame) {
    sched::enter_kernel_from_user();
    SyscallArguments arguments{*sched::current_thread().task(), frame->arguments};
    u64 status, value;
    handle_syscall(frame->rax, arguments, status, value);
    frame->rax = status;
    frame->arguments[2] = value;  // rdx
    sched::leave_kernel_to_user();
}
