// A helper that kernel.tasks' tests spawn through the service, told what to do by its argument
// text (StartInfo::arguments):
//   "exit N"          exit with status N at once (a decimal, possibly negative)
//   "sleep"           sleep until killed
//   "wait_in_kernel"  leave a kernel.time SleepUntil and a kernel.tasks WatchExits waiting in the
//                     kernel, then sleep until killed (its sessions must go with it)
//   "read_console"    leave a kernel.console Read waiting in the kernel (it holds the keyboard),
//                     then sleep until killed

#include <base/string_view.h>
#include <poplar/channel.h>
#include <poplar/protocols/kernel_console.h>
#include <poplar/protocols/kernel_tasks.h>
#include <poplar/protocols/kernel_time.h>
#include <poplar/start.h>

#include "kernel_client.h"
#include "parse_integer.h"

using base::StringView;
namespace abi = poplar::abi;
namespace sys = poplar::sys;
namespace protocols = poplar::protocols;

namespace {

[[noreturn]] void sleep_forever() {
    for (;;) (void)sys::sleep(abi::deadline_infinite);
}

template <typename Protocol>
bool send_request(const poplar::Channel& channel, const typename Protocol::Request& request) {
    usertest::KernelClientChannel transport{channel};
    ptah::Client<Protocol, usertest::KernelClientChannel> client(transport);
    return client.send(request).is_ok();
}

int wait_in_kernel() {
    StringView time_name = "kernel.time", tasks_name = "kernel.tasks";
    auto time = sys::service_subscribe(time_name.data(), time_name.length(), abi::deadline_now);
    auto tasks = sys::service_subscribe(tasks_name.data(), tasks_name.length(), abi::deadline_now);
    if (time.is_error() || tasks.is_error()) return 3;
    poplar::Channel time_session(time.value()), tasks_session(tasks.value());
    // An hour away, and the newest exit: neither comes while the test waits.
    if (!send_request<protocols::KernelTime>(time_session,
                                             protocols::kernel_time::SleepUntil{sys::clock_read() + 3'600'000'000'000}))
        return 4;
    // A List first, for the sequence to watch from.
    usertest::KernelClientChannel transport{tasks_session};
    usertest::Arena arena;
    ptah::Client<protocols::KernelTasks, usertest::KernelClientChannel> client(transport,
                                                                               ptah::DecodeOptions{&arena, {}});
    auto page = client.call(protocols::kernel_tasks::List{0});
    if (page.is_error() || !page.value().is<protocols::kernel_tasks::Page>()) return 5;
    u64 sequence = page.value().get<protocols::kernel_tasks::Page>().exit_sequence;
    if (client.send(protocols::kernel_tasks::WatchExits{sequence}).is_error()) return 6;
    sleep_forever();
}

int read_console() {
    StringView name = "kernel.console";
    auto console = sys::service_subscribe(name.data(), name.length(), abi::deadline_now);
    if (console.is_error()) return 3;
    poplar::Channel session(console.value());
    if (!send_request<protocols::KernelConsole>(session, protocols::kernel_console::Read{1})) return 4;
    sleep_forever();
}

}  // namespace

int main(const abi::StartInfo& info) {
    usize length = 0;
    while (length < abi::StartInfo::max_arguments && info.arguments[length]) ++length;
    StringView command(info.arguments, length);
    if (command.starts_with("exit ")) return static_cast<int>(usertest::parse_integer(command.substring(5)));
    if (command == StringView("sleep")) sleep_forever();
    if (command == StringView("wait_in_kernel")) return wait_in_kernel();
    if (command == StringView("read_console")) return read_console();
    return 2;
}
