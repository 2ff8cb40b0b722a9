// From the syscall entry's TrapFrame to the portable handler and back.

#include <arch/syscall.h>
#include <arch/x86_64/trap_frame.h>
#include <sched/scheduler.h>
#include <syscall/syscall.h>

extern "C" void syscall_dispatch(x86_64::TrapFrame* frame) {
    sched::enter_kernel_from_user();
    SyscallArguments arguments{{frame->rdi, frame->rsi, frame->rdx, frame->r10, frame->r8, frame->r9}};
    u64 status, value;
    handle_syscall(frame->rax, arguments, status, value);
    frame->rax = status;
    frame->rdx = value;
    sched::leave_kernel_to_user();
}
