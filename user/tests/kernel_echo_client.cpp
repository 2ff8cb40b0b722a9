// A helper spawned by kernel_service_test: a client of its own kernel echo service
// (debug_kernel_echo). Its first start handle is a channel to its parent, whose first message
// says what to do:
//   "call"  open an echo, reply "ready", then call it with a 10-second delay (to be killed while
//           it waits; if the call ever returns, exit 10)
//   "give"  open an echo, send its end to the parent, exit 0
// It exits 3-5 when something unexpected happens.

#include <base/string_view.h>
#include <poplar/channel.h>
#include <poplar/protocols/kernel_echo.h>
#include <poplar/start.h>

namespace echo = poplar::protocols::kernel_echo;

namespace {

template <typename T>
base::ReadonlyBytes bytes_of(const T& value) {
    return base::ReadonlyBytes(reinterpret_cast<const u8*>(&value), sizeof(value));
}

}  // namespace

int main(const poplar::abi::StartInfo& start_info) {
    if (start_info.handle_count < 1) return 3;
    poplar::Channel parent(start_info.handles[0]);
    char order[8];
    auto sizes = parent.receive(base::Bytes(reinterpret_cast<u8*>(order), sizeof(order)));
    if (sizes.is_error()) return 4;
    base::StringView text(order, sizes.value().bytes);
    auto opened = poplar::sys::debug_kernel_echo();
    if (opened.is_error()) return 5;
    poplar::Channel service(opened.value());

    if (text == "give") {
        poplar::Handle end[1] = {base::move(service)};
        return parent.send(bytes_of(u8(1)), base::Span<poplar::Handle>(end)).is_ok() ? 0 : 5;
    }
    if (text != "call") return 4;
    if (parent.send(bytes_of(u8(1))).is_error()) return 5;
    echo::Command delay{echo::command_magic, echo::Action::delay, 10'000};
    echo::Command reply;
    (void)service.call(bytes_of(delay), {}, base::Bytes(reinterpret_cast<u8*>(&reply), sizeof(reply)));
    return 10;
}
