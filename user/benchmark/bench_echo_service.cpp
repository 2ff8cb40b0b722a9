// The benchmark's user -> user service: EchoProtocol (poplar/protocols/echo.h) under the name its
// argument gives (default bench.echo), served with poplar::ServiceHost until it is killed.

#include <poplar/protocols/echo.h>
#include <poplar/service.h>
#include <poplar/start.h>
#include <poplar/start_argument.h>

using poplar::protocols::EchoProtocol;
namespace echo = poplar::protocols::echo;

namespace {

struct Echoer {
    echo::Echoed handle(const echo::Echo& request) { return echo::Echoed{request.text}; }
    echo::Logged handle(const echo::Log&) { return {}; }
};

Echoer echoer;

}  // namespace

int main(const poplar::abi::StartInfo& start_info) {
    char argument[poplar::abi::max_service_name_bytes];
    base::StringView name = poplar::start_argument(start_info, argument, sizeof(argument));
    if (name.is_empty()) name = "bench.echo";
    auto host = poplar::ServiceHost<EchoProtocol, Echoer>::create(name, echoer);
    if (host.is_error()) return 1;
    for (;;)
        if (host.value().serve(poplar::abi::deadline_infinite).is_error()) return 2;
}
