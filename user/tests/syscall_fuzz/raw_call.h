#pragma once

// A system call entered with chosen RFLAGS: pushfq saves ours, popfq loads `flags`, syscall, and
// popfq restores ours (the kernel returns the flags it was entered with, so DF or AC would
// otherwise leak into our own code).

#include <poplar/syscall.h>

namespace fuzz {

// The RFLAGS bits user mode may change with popfq: CF, PF, AF, ZF, SF, DF, OF, NT, AC and ID.
// TF is left out: it would trap this task after the return (FaultKind::single_step uses it). IF
// and IOPL are privileged (popfq ignores them in ring 3); bit 1 always reads as 1.
constexpr u64 user_settable_flags = 0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x400 | 0x800 | 0x4000 | 0x40000 | 0x200000;
constexpr u64 flags_always_set = 0x2 | 0x200;
constexpr u64 nested_task_flag = 0x4000;

inline poplar::sys::RawResult raw_with_flags(u64 flags, u64 number, u64 a0, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5) {
    register u64 r10 asm("r10") = a3;
    register u64 r8 asm("r8") = a4;
    register u64 r9 asm("r9") = a5;
    u64 rax = number;
    u64 rdx = a2;
    flags = (flags & user_settable_flags) | flags_always_set;
    // 128 bytes down first: the pushes must not land in the red zone, where the compiler may keep
    // locals of this function.
    asm volatile(
        "sub $128, %%rsp\n\t"
        "pushfq\n\t"
        "pushq %[flags]\n\t"
        "popfq\n\t"
        "syscall\n\t"
        "popfq\n\t"
        "add $128, %%rsp"
        : "+a"(rax), "+d"(rdx), "+D"(a0), "+S"(a1), "+r"(r10), "+r"(r8), "+r"(r9)
        : [flags] "r"(flags)
        : "rcx", "r11", "memory", "cc");
    return poplar::sys::RawResult{rax, rdx};
}

}  // namespace fuzz
