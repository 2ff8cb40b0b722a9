// Interrupt and exception entry. Every vector has a 16-byte stub that pushes an error code (the
// CPU's, or 0) and the vector number, then joins trap_common, which saves the registers as a
// TrapFrame (trap_frame.h) and calls trap_dispatch. Entries from user mode swap GS.

#define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

#define STUB(high, low)                        \
    .balign 16;                                \
    .if HAS_ERROR_CODE(16 * high + low);       \
    .else;                                     \
    pushq $0;                                  \
    .endif;                                    \
    pushq $(16 * high + low);                  \
    jmp trap_common

#define STUBS16(high)                                                                          \
    STUB(high, 0); STUB(high, 1); STUB(high, 2); STUB(high, 3); STUB(high, 4); STUB(high, 5);  \
    STUB(high, 6); STUB(high, 7); STUB(high, 8); STUB(high, 9); STUB(high, 10); STUB(high, 11); \
    STUB(high, 12); STUB(high, 13); STUB(high, 14); STUB(high, 15)

.text
.balign 16
.global trap_stubs
trap_stubs:
    STUBS16(0); STUBS16(1); STUBS16(2); STUBS16(3); STUBS16(4); STUBS16(5); STUBS16(6); STUBS16(7)
    STUBS16(8); STUBS16(9); STUBS16(10); STUBS16(11); STUBS16(12); STUBS16(13); STUBS16(14); STUBS16(15)
.global trap_stubs_end
trap_stubs_end:

trap_common:
    testb $3, 24(%rsp)  // the interrupted CS: from user mode?
    jz 1f
    swapgs
1:  pushq %rax
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
    // An interrupt gate clears TF and NT but not DF or AC: clear them too (AC set would lift
    // SMAP for the handler; this also covers an interrupt inside a user-copy window, whose AC
    // comes back with iretq). pushfq/popfq works with or without SMAP.
    pushfq
    andq $~((1 << 10) | (1 << 18)), (%rsp)
    popfq
    mov %rsp, %rdi
    xor %ebp, %ebp  // the handler's backtrace starts here; the report walks the frame's rbp
    call trap_dispatch
.global trap_return
trap_return:
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
    testb $3, 24(%rsp)
    jz 2f
    swapgs
2:  add $16, %rsp  // vector and error code
    iretq

.section .note.GNU-stack, "", @progbits
