// Kernel services through the registry (test=ktest): each `kernel.` name gives its service as the
// type it is, and nothing else.

#include <object/service_registry.h>
#include <services/log_service.h>
#include <services/lookup.h>
#include <services/time_service.h>
#include <test/kernel_test.h>

namespace {

using services::LogService;
using services::TimeService;

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
    log.value()->record(log::Level::Info, LogService::kernel, "services test: a record through kernel.log");
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
