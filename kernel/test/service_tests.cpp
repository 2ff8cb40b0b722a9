// Kernel services through the registry (test=ktest): each `kernel.` name gives its service as the
// type it is, and nothing else.

#include <object/service_registry.h>
#include <services/log_service.h>
#include <services/lookup.h>
#include <services/time_service.h>
#include <test/kernel_test.h>
#include <test/run_jobs.h>

namespace {

using services::LogService;
using services::TimeService;

// Sleeps through kernel.time, found by name, and gives how long it took by the same clock.
async::Task<base::ErrorOr<u64>> sleep_through_kernel_time(u64 duration) {
    auto time = CO_TRY(services::lookup<TimeService>("kernel.time"));
    u64 start = time->now();
    CO_TRY(co_await time->sleep_for(duration));
    co_return time->now() - start;
}

}  // namespace

KERNEL_TEST(services, lookup_gives_each_kernel_service_as_its_type) {
    auto log = services::lookup<LogService>("kernel.log");
    KEXPECT(log.is_ok());
    auto time = services::lookup<TimeService>("kernel.time");
    KEXPECT(time.is_ok());
    if (log.is_error() || time.is_error()) return;
    KEXPECT(log.value()->is<LogService>());
    KEXPECT(time.value()->is<TimeService>());
    KEXPECT(&log.value()->type() == &LogService::service_type);
    // A call through the pointer reaches the service.
    u64 before = log.value()->record_count();
    log.value()->record(log::Level::Info, "ktest", LogService::kernel, "services test: a record through kernel.log");
    KEXPECT_EQ(log.value()->record_count(), before + 1);
    u64 first = time.value()->now();
    KEXPECT(time.value()->now() >= first);
    // Every look-up finds the same service.
    KEXPECT(services::lookup<LogService>("kernel.log").value().get() == log.value().get());
}

KERNEL_TEST(services, lookup_as_another_type_is_wrong_type) {
    auto as_time = services::lookup<TimeService>("kernel.log");
    KEXPECT(as_time.failed_with(base::Error::WrongType));
    auto as_log = services::lookup<LogService>("kernel.time");
    KEXPECT(as_log.failed_with(base::Error::WrongType));
}

KERNEL_TEST(services, lookup_of_a_missing_name_is_not_found) {
    KEXPECT(services::lookup<LogService>("kernel.nothing").failed_with(base::Error::NotFound));
    KEXPECT(services::lookup<LogService>("kernel").failed_with(base::Error::NotFound));
    KEXPECT(services::lookup<LogService>("kernel.lo").failed_with(base::Error::NotFound));
}

KERNEL_TEST(services, a_kernel_name_is_entered_once) {
    auto again = ServiceRegistry::the().add_kernel_service("kernel.log", MUST(LogService::create()));
    KEXPECT(again.failed_with(base::Error::AlreadyExists));
    auto provider = ServiceRegistry::the().find("kernel.log");
    KEXPECT(provider.kernel_service && !provider.registry_end);
}

KERNEL_TEST(services, a_job_sleeps_through_kernel_time) {
    constexpr u64 duration = 3'000'000;
    async::Executor executor;
    auto job = MUST(executor.spawn(sleep_through_kernel_time(duration)));
    KEXPECT(test::run_until_complete(executor, job));
    KEXPECT(job->take_result().value_or(0) >= duration);
}
