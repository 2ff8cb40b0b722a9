// The `syscall` entry and exit. The entry builds the same TrapFrame as trap_entry.S (with vector
// 256), so the rest of the kernel sees one frame layout for every way into the kernel. The exit
// uses sysret, except for a return address sysret cannot take safely (see below).

#define USER_DATA (0x18 | 3)
#define USER_CODE (0x20 | 3)
#define SYSCALL_VECTOR 256
#define USER_SPACE_END 0x00007ffffffff000

.text
.global syscall_entry
syscall_entry:
    swapgs
    mov %rsp, %gs:16
    mov %gs:8, %rsp
    pushq $USER_DATA
    pushq %gs:16
    pushq %r11  // user rflags
    pushq $USER_CODE
    pushq %rcx  // user rip
    pushq $0
    pushq $SYSCALL_VECTOR
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    xor %ebp, %ebp
    mov %rsp, %rdi
    sti
    call syscall_dispatch
    cli
.global syscall_return
syscall_return:
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
    // On Intel, sysret to a non-canonical rip faults in ring 0 on the user's stack; return
    // through iretq for anything at or above the end of user space (the fault then happens in
    // user mode and kills the task).
    mov 16(%rsp), %rcx
    movabs $USER_SPACE_END, %r11
    cmp %r11, %rcx
    jae 1f
    mov 32(%rsp), %r11
    mov 40(%rsp), %rsp
    swapgs
    sysretq
1:  add $16, %rsp
    swapgs
    iretq

// void switch_context(u64* save_stack_pointer, u64 load_stack_pointer)
// Saves the callee-saved registers on this stack, switches stacks, and restores the other
// thread's; returns on the other thread.
.global switch_context
switch_context:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    mov %rsp, (%rdi)
    mov %rsi, %rsp
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
