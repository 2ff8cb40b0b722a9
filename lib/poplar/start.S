// The first user instruction of every program. The kernel enters with rdi pointing to the
// StartInfo; the stack is aligned here so that poplar_start sees the ABI's alignment.
    .section .text.start, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    xorl %ebp, %ebp
    andq $-16, %rsp
    call poplar_start
    ud2
    .size _start, . - _start

    .section .note.GNU-stack, "", @progbits
