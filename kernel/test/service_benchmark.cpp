// What reaching a kernel service costs, measured on the target (booted with test=bench_services,
// best with -icount shift=0 so cycles count instructions): a services::lookup (the registry's
// lock, one pass over the table, the type check, a reference taken and dropped) and a call
// through the pointer it gives (TimeService::now).

#include <arch/arch.h>
#include <debug/log.h>
#include <services/lookup.h>
#include <services/time_service.h>
#include <test/executor_benchmark.h>

namespace test {
namespace {

constexpr usize samples = 2000;

}  // namespace

bool service_benchmark() {
    static u64 cycles[samples];
    using services::TimeService;

    for (usize i = 0; i < samples; ++i) {
        u64 start = arch::read_cycle_counter();
        auto time = services::lookup<TimeService>("kernel.time");
        u64 end = arch::read_cycle_counter();
        if (time.is_error()) return false;
        cycles[i] = end - start;
    }
    report_cycles("service_lookup", cycles, samples);

    auto time = services::lookup<TimeService>("kernel.time");
    if (time.is_error()) return false;
    TimeService& service = *time.value();
    u64 sink = 0;
    for (usize i = 0; i < samples; ++i) {
        u64 start = arch::read_cycle_counter();
        sink += service.now();
        u64 end = arch::read_cycle_counter();
        cycles[i] = end - start;
    }
    report_cycles("service_call_time_now", cycles, samples);
    return sink != 0 || samples == 0;
}

}  // namespace test
