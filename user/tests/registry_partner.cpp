// A helper spawned by registry_test. Its first start handle is a control channel whose first
// message says what to do; a service scope handle may follow it (poplar::service_scope() finds
// it), with which it registers:
//   "provide NAME"  wait 50 ms, register NAME, reply with the status (one byte: 0 or an error
//                   code), then greet each client with its NewClient's client_name, until the
//                   control channel closes or says "exit"
//   "wait NAME"     subscribe to NAME with no deadline (registry_test kills it meanwhile)
//   "watch"         open a kernel.services session, list, send a Watch from the listing's sequence,
//                   reply 0, and wait for the control channel to close (the test kills it while
//                   the kernel's session waits)
//   "narrow NAME"   narrow its scope to NAME (service_scope_narrow) and use the narrower one from
//                   then on, reply with the status byte, and take the next command
// It exits 0 when done, 3-6 when something unexpected happens.

#include <base/string_view.h>
#include <poplar/channel.h>
#include <poplar/protocols/service_registry.h>
#include <poplar/service_scope.h>
#include <poplar/start.h>
#include <poplar/syscall.h>
#include <ptah/ptah.h>

#include "kernel_services_client.h"

using base::StringView;
namespace abi = poplar::abi;
namespace sys = poplar::sys;
namespace protocols = poplar::protocols;

namespace {

u8 buffer[abi::max_message_bytes];
poplar::Handle clients[64];
usize client_count = 0;
abi::HandleValue scope = abi::invalid_handle;  // the scope it registers with (none: invalid_handle)
poplar::Handle narrowed;                       // owns `scope` once narrowed

// Takes the NewClient queued at `registration` and greets the client with the name it was given.
int greet_client(const poplar::Channel& registration) {
    poplar::Handle received[1];
    auto sizes = registration.receive(base::Bytes(buffer), base::Span<poplar::Handle>(received, 1), abi::deadline_now);
    if (sizes.is_error() || sizes.value().handles != 1) return 4;
    ptah::TransferredHandle transferred{received[0].value(),
                                        static_cast<ptah::ObjectTypeTag>(poplar::ObjectType::Channel)};
    auto decoded = ptah::decode<protocols::ServiceProvider::Request>(
        base::ReadonlyBytes(buffer, sizes.value().bytes), base::Span<const ptah::TransferredHandle>(&transferred, 1),
        {});
    if (decoded.is_error()) return 5;
    const auto& new_client = decoded.value().get<protocols::service_registry::NewClient>();
    poplar::Channel client(received[0].release());
    StringView greeting = new_client.client_name;
    if (client.send(base::ReadonlyBytes(reinterpret_cast<const u8*>(greeting.data()), greeting.length())).is_error())
        return 6;
    if (client_count < 64) clients[client_count++] = base::move(client);
    return 0;
}

int watch(const poplar::Channel& control) {
    namespace services = usertest::kernel_services;
    static services::Arena arena;
    auto session = services::open_session();
    if (session.is_error() || services::send(session.value(), services::protocol::List{}).is_error()) return 3;
    auto listing = services::receive(session.value(), buffer, arena, sys::deadline_after(2'000'000'000));
    if (listing.is_error() || !listing.value().is<services::protocol::Listing>()) return 4;
    u64 sequence = listing.value().get<services::protocol::Listing>().sequence;
    if (services::send(session.value(), services::protocol::Watch{sequence}).is_error()) return 3;
    u8 status = 0;
    if (control.send(base::ReadonlyBytes(&status, 1)).is_error()) return 3;
    (void)control.wait(abi::signals::peer_closed, abi::deadline_infinite);
    return 0;
}

int provide(const poplar::Channel& control, StringView name) {
    (void)sys::sleep(sys::deadline_after(50'000'000));
    auto registered = sys::service_register(scope, name.data(), name.length());
    u8 status = registered.is_error() ? static_cast<u8>(registered.error()) : 0;
    if (control.send(base::ReadonlyBytes(&status, 1)).is_error() || registered.is_error()) return 3;
    poplar::Channel registration(registered.value());
    for (;;) {
        abi::WaitItem items[2] = {{control.value(), abi::signals::readable | abi::signals::peer_closed, 0, 0},
                                  {registration.value(), abi::signals::readable, 0, 0}};
        auto ready = sys::wait_many(items, 2, abi::deadline_infinite);
        if (ready.is_error()) return 3;
        if (ready.value() == 0) return 0;  // "exit", or the test went away
        if (int failed = greet_client(registration)) return failed;
    }
}

}  // namespace

int main(const abi::StartInfo& start_info) {
    if (start_info.handle_count < 1) return 3;
    poplar::Channel control(start_info.handles[0]);
    scope = poplar::service_scope();
    for (;;) {
        auto sizes = control.receive(base::Bytes(buffer), {}, abi::deadline_infinite);
        if (sizes.is_error()) return 3;
        StringView command(reinterpret_cast<const char*>(buffer), sizes.value().bytes);
        if (command.starts_with("provide ")) return provide(control, command.substring(8));
        if (command == StringView("watch")) return watch(control);
        if (command.starts_with("wait ")) {
            StringView name = command.substring(5);
            auto subscribed = sys::service_subscribe(name.data(), name.length(), abi::deadline_infinite);
            return subscribed.is_error() ? 3 : 0;
        }
        if (!command.starts_with("narrow ")) return 3;
        auto narrower = poplar::narrow_service_scope(scope, command.substring(7));
        u8 status = narrower.is_error() ? static_cast<u8>(narrower.error()) : 0;
        if (narrower.is_ok()) {
            narrowed = base::move(narrower.value());
            scope = narrowed.value();
        }
        if (control.send(base::ReadonlyBytes(&status, 1)).is_error()) return 3;
    }
}
