#pragma once

// The monotonic clock and the timer, portable side. The arch code calibrates the cycle counter
// and the timer at boot and calls `handle_timer_interrupt` on every tick.

#include <base/types.h>

namespace time {

// Nanoseconds since the clock was calibrated; 0 before that.
u64 monotonic_nanoseconds();
// The same, at a cycle-counter value already read (the scheduler reads it once per switch).
u64 monotonic_nanoseconds_at(u64 cycle_counter);

// Sets the cycle-counter frequency measured at boot.
void set_cycle_frequency(u64 cycles_per_second);
u64 cycle_frequency();

u64 cycles_to_nanoseconds(u64 cycles);

// Timer ticks delivered since boot.
u64 timer_ticks();

// From now on the timer interrupt belongs to the timer queue (time/timer.h); before, boot
// scenarios may drive the hardware timer directly.
void start_timer_queue();

// Called by the arch code, in interrupt context, on each timer interrupt.
void handle_timer_interrupt();

}  // namespace time
