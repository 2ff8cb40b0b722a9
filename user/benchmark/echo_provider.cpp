// Provides `bench.echo` (poplar.echo) for bench_kernel_call: registers it, says so with one byte
// on its start channel, then serves one session at a time, Echo by Echo, until it is killed.

#include <poplar/channel.h>
#include <poplar/protocols/echo.h>
#include <poplar/service.h>
#include <poplar/start.h>
#include <poplar/syscall.h>
#include <ptah/ptah.h>

namespace abi = poplar::abi;
namespace sys = poplar::sys;
namespace echo = poplar::protocols::echo;
using poplar::protocols::EchoProtocol;

namespace {

u8 request[8192];
u8 reply[8192];

// Answers Echo requests until the client goes (or sends what does not decode).
void serve(const poplar::Channel& session) {
    for (;;) {
        auto sizes = session.receive(base::Bytes(request));
        if (sizes.is_error()) return;
        auto decoded = ptah::decode<EchoProtocol::Request>(base::ReadonlyBytes(request, sizes.value().bytes), {});
        if (decoded.is_error()) return;
        const auto* asked = decoded.value().get_if<echo::Echo>();
        EchoProtocol::Response response =
            asked ? EchoProtocol::Response(echo::Echoed{asked->text}) : EchoProtocol::Response(echo::Logged{});
        ptah::HandleList handles;
        auto size = ptah::encode(response, base::Bytes(reply), handles);
        if (size.is_error() ||
            session.send(base::ReadonlyBytes(reply, size.value().bytes), {}, sizes.value().transaction).is_error())
            return;
    }
}

}  // namespace

int main(const abi::StartInfo& start_info) {
    if (start_info.handle_count < 1) return 3;
    poplar::Channel control(start_info.handles[0]);
    auto registered = poplar::register_service("bench.echo");
    u8 ready = registered.is_ok() ? 0 : 1;
    if (control.send(base::ReadonlyBytes(&ready, 1)).is_error() || registered.is_error()) return 3;
    poplar::Channel registration = base::move(registered.value());
    for (;;) {
        auto client = poplar::accept_client(registration, abi::deadline_infinite);
        if (client.is_error()) return 3;
        serve(client.value().channel);
    }
}
