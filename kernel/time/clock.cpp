#include <arch/arch.h>
#include <time/clock.h>
#include <time/timer.h>

namespace time {
namespace {

u64 frequency = 0;
u64 start_cycles = 0;
// nanoseconds = cycles * scale >> 32, so no division happens on the clock's path.
u64 nanoseconds_per_cycle_scaled = 0;
volatile u64 ticks = 0;
bool timer_queue_started = false;

}  // namespace

void set_cycle_frequency(u64 cycles_per_second) {
    frequency = cycles_per_second;
    nanoseconds_per_cycle_scaled = (1000000000ull << 32) / cycles_per_second;
    start_cycles = arch::read_cycle_counter();
}

u64 cycle_frequency() { return frequency; }

u64 cycles_to_nanoseconds(u64 cycles) {
    return static_cast<u64>((static_cast<unsigned __int128>(cycles) * nanoseconds_per_cycle_scaled) >> 32);
}

u64 monotonic_nanoseconds() { return monotonic_nanoseconds_at(arch::read_cycle_counter()); }

u64 monotonic_nanoseconds_at(u64 cycle_counter) {
    if (!frequency) return 0;
    return cycles_to_nanoseconds(cycle_counter - start_cycles);
}

u64 timer_ticks() { return ticks; }

void start_timer_queue() { timer_queue_started = true; }

void handle_timer_interrupt() {
    ticks = ticks + 1;
    if (timer_queue_started) run_expired_timers();
}

}  // namespace time
