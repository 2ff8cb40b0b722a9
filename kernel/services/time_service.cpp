#include <ipc/session.h>
#include <object/task.h>
#include <poplar/protocols/kernel_time.h>
#include <sched/work_queue.h>
#include <services/session.h>
#include <services/time_service.h>
#include <time/clock.h>

namespace services {

namespace {

namespace protocol = poplar::protocols::kernel_time;
using poplar::protocols::KernelTime;
using Reply = base::ErrorOr<KernelTime::Response>;

struct SessionHandler {
    const TimeService& service;
    // The session's own end: a sleep also ends when the client goes away, so a closed session
    // never waits out its deadline.
    const base::RefPtr<Channel>& channel;

    KernelTime::Response handle(const protocol::Now&) { return protocol::Time{service.now()}; }

    KernelTime::Response handle(const protocol::GetResolution&) { return protocol::Resolution{service.resolution()}; }

    // The one request that waits, so the one that costs a coroutine frame.
    async::Task<Reply> handle(const protocol::SleepUntil& request) {
        u64 deadline = request.deadline;
        u64 now = service.now();
        // Compared as a distance from now, so that no deadline near 2^64 wraps.
        if (deadline > now && deadline - now > protocol::max_sleep_nanoseconds)
            co_return KernelTime::Response(protocol::Refused{static_cast<u8>(protocol::Reason::deadline_too_far)});
        if (deadline > now) {
            auto closed = co_await async::wait_signals(channel, poplar::abi::signals::peer_closed, deadline);
            if (closed.is_ok()) co_return base::Error::PeerClosed;  // nobody to wake: the session ends
            if (!closed.failed_with(base::Error::TimedOut)) co_return closed.error();
        }
        co_return KernelTime::Response(protocol::Woke{service.now()});
    }
};

async::Task<base::ErrorOr<void>> serve_session(base::RefPtr<TimeService> service, base::RefPtr<Channel> channel) {
    SessionHandler handler{*service, channel};
    co_return co_await ipc::serve<KernelTime>(channel, handler);
}

}  // namespace

base::ErrorOr<base::RefPtr<TimeService>> TimeService::create() {
    auto* service = new (std::nothrow) TimeService();
    if (!service) return base::Error::NoMemory;
    return base::adopt_ref(service);
}

u64 TimeService::now() const { return time::monotonic_nanoseconds(); }

async::SleepAwaiter TimeService::sleep_for(u64 nanoseconds) const { return async::sleep_for(nanoseconds); }

u64 TimeService::resolution() const {
    u64 frequency = time::cycle_frequency();
    if (frequency == 0) return 1;
    return base::max<u64>(1, (1'000'000'000ull + frequency - 1) / frequency);
}

base::ErrorOr<base::RefPtr<Channel>> TimeService::open_session(Task& client) {
    return open_session_on_client_queue(client, [&](base::RefPtr<Channel> end) {
        return serve_session(base::RefPtr<TimeService>(this), base::move(end));
    });
}

}  // namespace services
