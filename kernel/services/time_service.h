#pragma once

// kernel.time: the monotonic clock and sleeping, for kernel code (jobs on an executor sleep
// through the async runtime's timers) and for user tasks, which subscribe and speak KernelTime
// (poplar/protocols/kernel_time.h); open_session serves one such client.

#include <async/kernel_awaitables.h>
#include <services/kernel_service.h>

namespace services {

class TimeService final : public KernelService {
public:
    static constexpr ServiceType service_type{"time"};

    static base::ErrorOr<base::RefPtr<TimeService>> create();

    // Nanoseconds since the clock was calibrated at boot.
    u64 now() const;
    // co_await time->sleep_for(nanoseconds) in a job: ErrorOr<void> (Cancelled if the job is).
    async::SleepAwaiter sleep_for(u64 nanoseconds) const;
    async::SleepAwaiter sleep_until(u64 deadline) const { return async::sleep_until(deadline); }
    // The clock's step: one cycle of its counter, rounded up to whole nanoseconds.
    u64 resolution() const;

    // A KernelTime session with `client`, served on its work queue.
    base::ErrorOr<base::RefPtr<Channel>> open_session(Task& client) override;

private:
    TimeService() : KernelService(service_type) {}
};

}  // namespace services
