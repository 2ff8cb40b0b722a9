// From the syscall entry's frame to the portable handler and back.

#include <arch/syscall.h>
#include <sched/scheduler.h>
#include <syscall/syscall.h>

namespace x86_64 {

// What syscall_entry.S saves, lowest address first.
struct SyscallFrame {
    u64 rax, rdi, rsi, rdx, r8, r9, r10;
    u64 rip, rflags, rsp;
};

}  // namespace x86_64

extern "C" void syscall_dispatch(x86_64::SyscallFrame* frame) {
    sched::enter_kernel_from_user();
    SyscallArguments arguments{{frame->rdi, frame->rsi, frame->rdx, frame->r10, frame->r8, frame->r9}};
    u64 status, value;
    handle_syscall(frame->rax, arguments, status, value);
    frame->rax = status;
    frame->rdx = value;
    sched::leave_kernel_to_user();
}
