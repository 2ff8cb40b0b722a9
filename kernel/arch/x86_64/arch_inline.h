#pragma once

// The hottest pieces of the arch interface, inline: they run several times on every system call
// and context switch. Included by arch/arch.h only.

#include <arch/x86_64/rflags.h>
#include <base/types.h>

namespace x86_64 {
inline u64 read_flags() {
    u64 flags;
    asm volatile("pushfq; popq %0" : "=r"(flags));
    return flags;
}
}  // namespace x86_64

namespace arch {

inline void disable_interrupts() { asm volatile("cli" ::: "memory"); }
inline void enable_interrupts() { asm volatile("sti" ::: "memory"); }
inline bool interrupts_enabled() { return x86_64::read_flags() & x86_64::rflags::interrupt_enable; }
// Interrupts are off and no flag left by user mode (rflags.h) is set: what a thread switch
// needs. As cheap as interrupts_enabled(), so the scheduler checks it on every switch.
inline bool ready_to_switch() {
    return !(x86_64::read_flags() & (x86_64::rflags::interrupt_enable | x86_64::rflags::must_not_inherit));
}

inline u64 read_cycle_counter() {
    u32 low, high;
    asm volatile("rdtsc" : "=a"(low), "=d"(high));
    return (u64(high) << 32) | low;
}

}  // namespace arch
