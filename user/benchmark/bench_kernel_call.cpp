// Kernel -> user round trips beside user -> user ones, through the same user provider speaking
// the same protocol (poplar.echo, served by echo_provider):
//
//   bench kernel_to_user_call_N cycles per_call=C iterations=K   the kernel calls (debug_kernel_call)
//   bench user_to_user_call_N cycles per_call=C iterations=K     this task calls, encoding and decoding
//
// N is the text's length in bytes; cycles are TSC cycles (instructions under --icount), the
// kernel's counted from its first request encoded to its last reply decoded.

#include <poplar/channel.h>
#include <poplar/print.h>
#include <poplar/protocols/echo.h>
#include <poplar/service_scope.h>
#include <poplar/start.h>
#include <poplar/syscall.h>
#include <poplar/task.h>
#include <ptah/ptah.h>

#include "cycles.h"

namespace abi = poplar::abi;
namespace sys = poplar::sys;
namespace echo = poplar::protocols::echo;
using poplar::protocols::EchoProtocol;

namespace {

constexpr u64 iterations = 2000;
constexpr base::StringView service = "bench.echo";
char text[4096];
u8 request[8192];
u8 reply[8192];

using bench::cycles;

bool kernel_to_user(u64 bytes) {
    (void)sys::debug_kernel_call(service.data(), service.length(), bytes, iterations / 10);  // warm-up
    auto total = sys::debug_kernel_call(service.data(), service.length(), bytes, iterations);
    if (total.is_error()) {
        poplar::println("bench kernel_to_user_call_{} failed: {}", bytes, base::error_name(total.error()));
        return false;
    }
    poplar::println("bench kernel_to_user_call_{} cycles per_call={} iterations={}", bytes, total.value() / iterations,
                    iterations);
    return true;
}

bool one_call(const poplar::Channel& session, u64 bytes) {
    ptah::HandleList handles;
    EchoProtocol::Request asked = echo::Echo{base::StringView(text, bytes)};
    auto size = ptah::encode(asked, base::Bytes(request), handles);
    if (size.is_error()) return false;
    auto sizes = session.call(base::ReadonlyBytes(request, size.value().bytes), {}, base::Bytes(reply));
    if (sizes.is_error()) return false;
    auto decoded = ptah::decode<EchoProtocol::Response>(base::ReadonlyBytes(reply, sizes.value().bytes), {});
    return decoded.is_ok() && decoded.value().is<echo::Echoed>() &&
           decoded.value().get<echo::Echoed>().text.length() == bytes;
}

bool user_to_user(u64 bytes) {
    auto subscribed = sys::service_subscribe(service.data(), service.length(), abi::deadline_now);
    if (subscribed.is_error()) return false;
    poplar::Channel session(subscribed.value());
    for (u64 i = 0; i < iterations / 10; ++i)
        if (!one_call(session, bytes)) return false;
    u64 start = cycles();
    for (u64 i = 0; i < iterations; ++i)
        if (!one_call(session, bytes)) return false;
    u64 total = cycles() - start;
    poplar::println("bench user_to_user_call_{} cycles per_call={} iterations={}", bytes, total / iterations,
                    iterations);
    return true;
}

}  // namespace

int main(const abi::StartInfo&) {
    for (char& c : text) c = 'x';
    auto control = poplar::Channel::create();
    if (control.is_error()) return 1;
    auto scope = poplar::duplicate_service_scope();  // for the provider to register with
    if (scope.is_error()) return 1;
    poplar::Handle handles[2] = {base::move(control.value().second), base::move(scope.value())};
    auto provider = poplar::Task::spawn("echo_provider", base::Span<poplar::Handle>(handles));
    if (provider.is_error()) return 1;
    u8 ready = 1;
    auto sizes = control.value().first.receive(base::Bytes(&ready, 1), {}, sys::deadline_after(1'000'000'000));
    bool ok = sizes.is_ok() && ready == 0;
    const u64 sizes_measured[] = {16, 4096};
    for (u64 bytes : sizes_measured) ok = ok && kernel_to_user(bytes) && user_to_user(bytes);
    (void)provider.value().kill();
    (void)provider.value().wait();
    poplar::println("bench kernel_call {}", ok ? "done ok" : "FAILED");
    return ok ? 0 : 1;
}
