#pragma once

// The hottest pieces of the arch interface, inline: they run several times on every system call
// and context switch. Included by arch/arch.h only.

#include <base/types.h>

namespace x86_64 {
constexpr u64 rflags_interrupt_enable = 1 << 9;
}

namespace arch {

inline void disable_interrupts() { asm volatile("cli" ::: "memory"); }
inline void enable_interrupts() { asm volatile("sti" ::: "memory"); }
inline bool interrupts_enabled() {
    u64 flags;
    asm volatile("pushfq; popq %0" : "=r"(flags));
    return flags & x86_64::rflags_interrupt_enable;
}

inline u64 read_cycle_counter() {
    u32 low, high;
    asm volatile("rdtsc" : "=a"(low), "=d"(high));
    return (u64(high) << 32) | low;
}

}  // namespace arch
