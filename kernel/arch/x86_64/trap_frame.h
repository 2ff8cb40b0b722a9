#pragma once

#include <base/types.h>

namespace x86_64 {

// The registers saved by trap_entry.S, lowest address first.
struct TrapFrame {
    u64 r15, r14, r13, r12, r11, r10, r9, r8;
    u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
    u64 vector, error_code;
    // Pushed by the CPU.
    u64 rip, cs, rflags, rsp, ss;

    bool from_user() const { return (cs & 3) == 3; }
};

static_assert(sizeof(TrapFrame) == 22 * 8);

}  // namespace x86_64
