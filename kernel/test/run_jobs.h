#pragma once

// For the in-kernel tests of the async runtime: drives an executor by hand until a job completes.

#include <arch/arch.h>
#include <async/executor.h>
#include <time/clock.h>

namespace test {

// Polls until `job` completes or `limit` ns pass; halts (no busy polling) while nothing is ready.
// A job that waits with no deadline and nothing to wake it leaves the CPU halted: give such a
// wait a deadline or a waker.
template <typename Job>
bool run_until_complete(async::Executor& executor, Job& job, u64 limit = 500'000'000) {
    time::start_timer_queue();
    u64 give_up = time::monotonic_nanoseconds() + limit;
    while (!job->is_complete() && time::monotonic_nanoseconds() < give_up) {
        if (executor.run(64) == 0) {
            arch::disable_interrupts();
            if (!executor.has_ready_jobs()) arch::wait_for_interrupt();  // sti; hlt: no lost wake-up
            arch::enable_interrupts();
        }
    }
    return job->is_complete();
}

}  // namespace test
