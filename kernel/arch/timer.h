#pragma once

// The arch interface to the per-CPU interrupt timer.

#include <base/types.h>

namespace arch {

// Calibrates the cycle counter and the timer against a known clock.
void initialize_timer();

void timer_start_periodic(u64 period_nanoseconds);
void timer_start_one_shot(u64 delay_nanoseconds);
void timer_stop();

}  // namespace arch
