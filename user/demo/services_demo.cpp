// The services demo (README): user -> kernel and user -> user, each labelled in the log. The run
// that follows it (`faulty!restart`) shows the other two: the kernel's trap handler recording the
// fault through kernel.log (kernel -> kernel) and the kernel asking init's supervisor what to do
// (kernel -> user), which has the task restarted.

#include <poplar/print.h>
#include <poplar/protocols/kernel_log.h>
#include <poplar/protocols/kernel_time.h>
#include <poplar/protocols/key_value.h>
#include <poplar/service.h>
#include <poplar/service_scope.h>
#include <poplar/start.h>
#include <poplar/start_argument.h>
#include <poplar/task.h>

using base::StringView;
using namespace poplar;
namespace kernel_log = protocols::kernel_log;
namespace kernel_time = protocols::kernel_time;
namespace kv = protocols::key_value;

namespace {

constexpr u64 second = 1'000'000'000;

// user -> kernel: a record into the kernel log, and the clock, from the kernel's own services.
base::ErrorOr<void> use_kernel_services() {
    auto log = TRY(ServiceClient<protocols::KernelLog>::subscribe("kernel.log", abi::deadline_now, second));
    auto recorded = TRY(log.call(kernel_log::Record{static_cast<u8>(kernel_log::Level::info),
                                                    "hello from ring 3, through a kernel.log session"}));
    if (!recorded.is<kernel_log::Recorded>()) return base::Error::MalformedMessage;

    auto time = TRY(ServiceClient<protocols::KernelTime>::subscribe("kernel.time", abi::deadline_now, second));
    auto now = TRY(time.call(kernel_time::Now{}));
    if (!now.is<kernel_time::Time>()) return base::Error::MalformedMessage;
    println("user -> kernel: kernel.time says the clock reads {} ms",
            now.get<kernel_time::Time>().nanoseconds / 1'000'000);
    return {};
}

// A program started with `argument` as its argument text and this task's service scope after it.
base::ErrorOr<Task> start(StringView program, StringView argument) {
    return TRY(spawn_with_argument(program, argument, TRY(duplicate_service_scope()))).task;
}

// user -> user: the demo.kv store (user/demo/kv_store.cpp) and a client of it.
base::ErrorOr<void> use_a_user_service() {
    auto store = TRY(start("kv_store", "demo.kv"));
    auto client = TRY(start("kv_client", "demo.kv"));
    i64 status = TRY(client.wait(sys::deadline_after(5 * second)));
    auto kv = TRY(ServiceClient<protocols::KeyValue>::subscribe("demo.kv", sys::deadline_after(second), second));
    auto found = TRY(kv.call(kv::Get{"kv_client"}));
    if (found.is<kv::Found>())
        println("user -> user: services_demo read what kv_client stored: \"{}\"", found.get<kv::Found>().value);
    TRY(store.kill());
    TRY(store.wait());
    return status == 0 ? base::ErrorOr<void>{} : base::Error::BadState;
}

}  // namespace

int main(const abi::StartInfo&) {
    if (auto used = use_kernel_services(); used.is_error()) {
        println("services_demo: kernel services failed: {}", base::error_name(used.error()));
        return 1;
    }
    if (auto used = use_a_user_service(); used.is_error()) {
        println("services_demo: demo.kv failed: {}", base::error_name(used.error()));
        return 2;
    }
    return 0;
}
