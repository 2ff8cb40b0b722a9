#pragma once

// The arch interface: everything portable kernel code may ask of the hardware. Each
// architecture implements it under arch/<name>/.

#include <base/types.h>

#if defined(__x86_64__)
#include <arch/x86_64/arch_inline.h>  // disable_interrupts, enable_interrupts, interrupts_enabled,
                                      // ready_to_switch, read_cycle_counter
#endif

namespace arch {

// CPUs that run kernel code: one, until SMP start-up exists. Code that is still correct only on
// one CPU says so next to the reason, with `static_assert(arch::max_cpus == 1, ...)`, so that
// raising this finds every such place.
inline constexpr u32 max_cpus = 1;

// True while an interrupt handler runs (not counting the preemption at its end, which runs
// in the context of the thread it switches to).
bool in_interrupt_handler();

// Halts until the next interrupt (with interrupts enabled) — the idle loop's wait.
void wait_for_interrupt();

[[noreturn]] void halt_forever();

// Ends the run: under QEMU, leaves the emulator with a status the test harness reads.
[[noreturn]] void shut_down(bool success);

// Writes raw bytes to the debug console (the serial port, and on x86_64 the VGA text screen too).
void debug_write(const char* data, usize length);

// Starts the debug console's receive interrupt: from then on the bytes typed on it arrive through
// console::receive (console/console_input.h), in interrupt context.
void start_console_input();

// read_cycle_counter(): a cycle counter, cheap, monotonic on one CPU, unscaled (inline, above).

// Where a kernel stack lies: [bottom, top).
struct StackBounds {
    u64 bottom = 0, top = 0;

    // True if [address, address + size) lies inside.
    bool contains(u64 address, u64 size) const { return address >= bottom && address < top && top - address >= size; }
};

// The stacks that belong to no thread (the boot stack, the interrupt stacks): the one that
// holds `address`, if any.
bool find_fixed_stack(u64 address, StackBounds& bounds);

// Saves and restores the interrupt state around a critical section. Only for state an interrupt
// handler on this CPU shares with the code it interrupts (per-thread or per-CPU state); data that
// other CPUs reach takes a lock (sync/spinlock.h), which masks interrupts itself.
class InterruptGuard {
public:
    InterruptGuard() : were_enabled_(interrupts_enabled()) { disable_interrupts(); }
    ~InterruptGuard() {
        if (were_enabled_) enable_interrupts();
    }
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

private:
    bool were_enabled_;
};

}  // namespace arch
