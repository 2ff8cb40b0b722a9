// The `syscall` entry and exit. Only what C++ code may clobber and the ABI promises to keep is
// saved (the argument registers), plus the return state; the callee-saved registers are kept by
// the C++ code itself. The frame is a SyscallFrame (arch/x86_64/syscall.cpp).

#define USER_DATA (0x18 | 3)
#define USER_CODE (0x20 | 3)
#define USER_SPACE_END 0x00007ffffffff000

.text
.global syscall_entry
syscall_entry:
    swapgs
    mov %rsp, %gs:16
    mov %gs:8, %rsp
    pushq %gs:16  // user rsp
    pushq %r11    // user rflags
    pushq %rcx    // user rip
    pushq %r9     // the arguments, so that they lie in ABI order: rdi, rsi, rdx, r10, r8, r9
    pushq %r8
    pushq %r10
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rax
    mov %rsp, %rdi  // rbp still holds the user's frame pointer: backtraces stop at it
    sti
    call syscall_dispatch
    cli
.global syscall_return
syscall_return:
    popq %rax
    popq %rdi
    popq %rsi
    popq %rdx
    popq %r10
    popq %r8
    popq %r9
    // On Intel, sysret to a non-canonical rip faults in ring 0 on the user's stack. The return
    // address follows a syscall instruction in user space, so it is below the end of user space
    // (whose last page is never mapped); if it somehow is not, return through iretq, so that any
    // fault happens in user mode.
    movabs $USER_SPACE_END, %rcx
    cmp %rcx, (%rsp)
    jae 1f
    popq %rcx
    popq %r11
    popq %rsp
    swapgs
    sysretq
1:  popq %rcx
    popq %r11
    popq %gs:16
    pushq $USER_DATA
    pushq %gs:16
    pushq %r11
    pushq $USER_CODE
    pushq %rcx
    swapgs
    iretq

// void switch_context(u64* save_stack_pointer, u64 load_stack_pointer)
// Saves the callee-saved registers and RFLAGS on this stack, switches stacks, and restores the
// other thread's; returns on the other thread. RFLAGS are per thread: a flag one thread entered
// the kernel with must not follow the CPU into another (NT there would make its iretq fault).
.global switch_context
switch_context:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    pushfq
    mov %rsp, (%rdi)
    mov %rsi, %rsp
    popfq
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret

// Where a new thread's first switch_context returns to: r12 holds the function to call with
// r13 as its argument (thread_first_run never returns for kernel threads; for user threads it
// returns and we leave through the TrapFrame built at the top of the stack).
.global thread_trampoline
thread_trampoline:
    mov %r13, %rdi
    call *%r12
    cli
    jmp trap_return

// u64 copy_user_bytes(void* destination, const void* source, u64 count): 0, or 1 on a fault.
// A page fault inside [user_copy_begin, user_copy_end) resumes at user_copy_fault. Eight bytes
// at a time, then the rest.
.global copy_user_bytes, user_copy_begin, user_copy_end, user_copy_fault
copy_user_bytes:
    mov %rdx, %rcx
    shr $3, %rcx
    and $7, %edx
user_copy_begin:
    rep movsq
    mov %rdx, %rcx
    rep movsb
user_copy_end:
    xor %eax, %eax
    ret
user_copy_fault:
    mov $1, %eax
    ret

.section .note.GNU-stack, "", @progbits
