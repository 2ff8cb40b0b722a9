// A demo.kv provider that misbehaves, for kv_test. Its argument is "MODE NAME": it registers
// NAME, takes one client's first request, then
//   stall    never answers (until killed)
//   die      exits at once (status 7), the request unanswered
//   garbage  answers bytes that are not a KeyValue response, then waits for the client to leave
// It exits 1-4 when something unexpected happens.

#include <poplar/service.h>
#include <poplar/start.h>
#include <poplar/start_argument.h>

using base::StringView;
namespace abi = poplar::abi;
namespace sys = poplar::sys;

int main(const abi::StartInfo& start_info) {
    char argument[abi::StartInfo::max_arguments];
    StringView text = poplar::start_argument(start_info, argument, sizeof(argument));
    usize space = text.find(' ');
    if (space >= text.length()) return 1;
    StringView mode = text.substring(0, space);
    auto registration = poplar::ServiceRegistration::create(text.substring(space + 1));
    if (registration.is_error()) return 2;
    auto client = registration.value().accept(abi::deadline_infinite);
    if (client.is_error()) return 3;
    u8 request[512];
    auto received = client.value().channel.receive(base::Bytes(request), {}, abi::deadline_infinite);
    if (received.is_error()) return 4;

    if (mode == StringView("die")) return 7;
    if (mode == StringView("garbage")) {
        const u8 garbage[] = {0xff, 0xff, 0xff, 0xff, 0x00};
        // As the reply to the call (its transaction), so the garbage reaches the caller.
        (void)client.value().channel.send(base::ReadonlyBytes(garbage, sizeof(garbage)), {},
                                          received.value().transaction);
        (void)client.value().channel.wait(abi::signals::peer_closed);
        return 0;
    }
    (void)sys::sleep(abi::deadline_infinite);  // stall
    return 0;
}
