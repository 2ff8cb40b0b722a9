#include <services/time_service.h>
#include <time/clock.h>

namespace services {

base::ErrorOr<base::RefPtr<TimeService>> TimeService::create() {
    auto* service = new (std::nothrow) TimeService();
    if (!service) return base::Error::NoMemory;
    return base::adopt_ref(service);
}

u64 TimeService::now() const { return time::monotonic_nanoseconds(); }

async::SleepAwaiter TimeService::sleep_for(u64 nanoseconds) const { return async::sleep_for(nanoseconds); }

}  // namespace services
