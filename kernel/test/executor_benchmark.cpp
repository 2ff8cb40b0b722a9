// The executor's own costs, measured on the target (booted with test=bench_executor, and best
// with -icount shift=0 so cycles count instructions): spawning and completing a trivial job, and
// waking a suspended job and polling it once more.

#include <arch/arch.h>
#include <async/executor.h>
#include <debug/log.h>
#include <test/executor_benchmark.h>

namespace test {
namespace {

constexpr usize samples = 2000;

async::Task<base::ErrorOr<void>> trivial() { co_return base::ErrorOr<void>{}; }

// Suspends until woken, `rounds` times.
struct Parked {
    async::WaitList list;
    async::WaitNode node;
    bool await_ready() const { return false; }
    void await_suspend(std::coroutine_handle<> handle) {
        async::current_job()->set_resume_point(handle);
        node.waker = async::current_waker();
        list.add(node);
    }
    void await_resume() {}
};

async::Task<base::ErrorOr<void>> park_repeatedly(Parked& parked, usize rounds) {
    for (usize i = 0; i < rounds; ++i) co_await parked;
    co_return base::ErrorOr<void>{};
}

}  // namespace

void report_cycles(const char* name, u64* cycles, usize count) {
    for (usize i = 1; i < count; ++i)  // an insertion sort: a boot benchmark has no library
        for (usize j = i; j > 0 && cycles[j] < cycles[j - 1]; --j) base::swap(cycles[j], cycles[j - 1]);
    log::info("bench {} cycles median={} p99={} samples={}", name, cycles[count / 2], cycles[count * 99 / 100], count);
}

bool executor_benchmark() {
    static u64 cycles[samples];
    async::Executor executor;

    for (usize i = 0; i < samples; ++i) {
        u64 start = arch::read_cycle_counter();
        auto job = executor.spawn(trivial());
        executor.run(1);
        u64 end = arch::read_cycle_counter();
        if (job.is_error() || !job.value()->is_complete()) return false;
        cycles[i] = end - start;
    }
    report_cycles("executor_spawn_run_complete", cycles, samples);

    Parked parked;
    auto job = executor.spawn(park_repeatedly(parked, samples));
    if (job.is_error()) return false;
    executor.run(1);  // parks for the first time
    for (usize i = 0; i < samples; ++i) {
        u64 start = arch::read_cycle_counter();
        parked.list.wake_all();
        executor.run(1);
        u64 end = arch::read_cycle_counter();
        cycles[i] = end - start;
    }
    report_cycles("executor_wake_and_poll", cycles, samples);
    return job.value()->is_complete() && executor.live_jobs() == 0;
}

}  // namespace test
