// The local APIC timer, calibrated against the PIT (a fixed 1.193182 MHz clock), together with
// the cycle counter (TSC) that backs the monotonic clock.

#include <arch/arch.h>
#include <arch/timer.h>
#include <arch/x86_64/apic.h>
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/idt.h>
#include <debug/log.h>
#include <mm/physical_memory.h>
#include <time/clock.h>

namespace x86_64 {
namespace {

namespace reg {
constexpr u32 id = 0x20;
constexpr u32 end_of_interrupt = 0xb0;
constexpr u32 spurious = 0xf0;
constexpr u32 timer_vector = 0x320;
constexpr u32 timer_initial_count = 0x380;
constexpr u32 timer_current_count = 0x390;
constexpr u32 timer_divide = 0x3e0;
}  // namespace reg

constexpr u32 apic_enable = 1 << 8;
constexpr u32 timer_masked = 1 << 16;
constexpr u32 timer_periodic = 1 << 17;
constexpr u32 divide_by_16 = 0x3;
constexpr u64 pit_frequency = 1193182;
constexpr u64 calibration_milliseconds = 20;

volatile u32* apic_registers = nullptr;
u64 apic_ticks_per_second = 0;

u32 read_register(u32 offset) { return apic_registers[offset / 4]; }
void write_register(u32 offset, u32 value) { apic_registers[offset / 4] = value; }

// Busy-waits `milliseconds` on PIT channel 2 (the speaker gate, so no interrupt is involved).
// Only calibration does this: it is a measurement, not a wait for an event.
void pit_wait(u64 milliseconds) {
    u64 count = pit_frequency * milliseconds / 1000;
    outb(0x61, (inb(0x61) & ~0x02) | 0x01);  // gate on, speaker off
    outb(0x43, 0xb0);                        // channel 2, lobyte/hibyte, mode 0
    outb(0x42, u8(count));
    outb(0x42, u8(count >> 8));
    u8 gate = inb(0x61);
    outb(0x61, gate & ~0x01);  // restart the count
    outb(0x61, gate | 0x01);
    while (!(inb(0x61) & 0x20)) {
    }
}

u32 to_apic_count(u64 nanoseconds) {
    u64 count = apic_ticks_per_second * nanoseconds / 1000000000ull;
    if (count == 0) count = 1;
    if (count > 0xffffffffull) count = 0xffffffff;
    return u32(count);
}

}  // namespace

void apic_end_of_interrupt() { write_register(reg::end_of_interrupt, 0); }

u32 apic_id() { return read_register(reg::id) >> 24; }

}  // namespace x86_64

namespace arch {

using namespace x86_64;

void initialize_timer() {
    u64 base = read_msr(msr::apic_base) & 0x000ffffffffff000ull;
    write_msr(msr::apic_base, read_msr(msr::apic_base) | (1 << 11));  // globally enabled
    apic_registers = static_cast<volatile u32*>(mm::physical_to_virtual(base));
    write_register(reg::spurious, apic_enable | vector::spurious);

    // Mask the legacy PIC: every interrupt we use comes through the local APIC.
    outb(0x21, 0xff);
    outb(0xa1, 0xff);

    write_register(reg::timer_divide, divide_by_16);
    write_register(reg::timer_vector, timer_masked | vector::timer);
    write_register(reg::timer_initial_count, 0xffffffff);
    u64 tsc_start = arch::read_cycle_counter();
    pit_wait(calibration_milliseconds);
    u64 tsc_end = arch::read_cycle_counter();
    u32 apic_elapsed = 0xffffffff - read_register(reg::timer_current_count);
    write_register(reg::timer_initial_count, 0);

    apic_ticks_per_second = u64(apic_elapsed) * 1000 / calibration_milliseconds;
    u64 tsc_per_second = (tsc_end - tsc_start) * 1000 / calibration_milliseconds;
    time::set_cycle_frequency(tsc_per_second);
    log::info("timer: local APIC {} (id {}) at {} kHz, TSC at {} MHz", reinterpret_cast<void*>(base),
              read_register(reg::id) >> 24, apic_ticks_per_second / 1000, tsc_per_second / 1000000);
}

void timer_start_periodic(u64 period_nanoseconds) {
    write_register(reg::timer_vector, timer_periodic | vector::timer);
    write_register(reg::timer_initial_count, to_apic_count(period_nanoseconds));
}

void timer_start_one_shot(u64 delay_nanoseconds) {
    write_register(reg::timer_vector, vector::timer);
    write_register(reg::timer_initial_count, to_apic_count(delay_nanoseconds));
}

void timer_stop() {
    write_register(reg::timer_initial_count, 0);
    write_register(reg::timer_vector, timer_masked | vector::timer);
}

}  // namespace arch
