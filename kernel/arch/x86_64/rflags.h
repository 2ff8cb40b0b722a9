#pragma once

// RFLAGS bits (Intel SDM vol. 1, 3.4.3) and which of them the kernel must never inherit.

#include <base/types.h>

namespace x86_64::rflags {

constexpr u64 carry = 1 << 0, reserved_one = 1 << 1, parity = 1 << 2, adjust = 1 << 4, zero = 1 << 6, sign = 1 << 7,
              trap = 1 << 8, interrupt_enable = 1 << 9, direction = 1 << 10, overflow = 1 << 11, io_privilege = 3 << 12,
              nested_task = 1 << 14, resume = 1 << 16, virtual_8086 = 1 << 17, alignment_check = 1 << 18,
              virtual_interrupt = 1 << 19, virtual_interrupt_pending = 1 << 20, id = 1 << 21;

// Set by user mode, these would change how kernel code runs: TF single-steps it, DF reverses
// string copies, AC lifts SMAP, NT makes the next iretq fault (#GP in long mode).
constexpr u64 must_not_inherit = trap | direction | alignment_check | nested_task;

// What the kernel runs with after `syscall` (SFMASK clears everything else): interrupts off and
// every status and control flag in a known state, as Linux does.
constexpr u64 syscall_mask = carry | parity | adjust | zero | sign | trap | interrupt_enable | direction | overflow |
                             io_privilege | nested_task | resume | alignment_check | id;

// A new thread's first switch_context loads this: interrupts off, nothing else.
constexpr u64 new_thread = reserved_one;

// A user thread's first entry to user mode.
constexpr u64 new_user_thread = reserved_one | interrupt_enable;

}  // namespace x86_64::rflags
