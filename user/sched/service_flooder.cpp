// A task that tries to get more than its share by making a kernel service work for it: it asks
// kernel.time the time as fast as it can, keeping its session's queue full (a batch of requests,
// then their replies). The session is a kernel coroutine on this task's own work queue, so the
// work shows as this task's kernel_work time and comes out of its share.

#include <poplar/channel.h>
#include <poplar/protocols/kernel_time.h>
#include <poplar/start.h>
#include <poplar/syscall.h>
#include <ptah/ptah.h>

using namespace poplar;

namespace {

constexpr usize batch = 16;

}  // namespace

int main(const abi::StartInfo&) {
    base::StringView name = "kernel.time";
    auto subscribed = sys::service_subscribe(name.data(), name.length(), abi::deadline_infinite);
    if (subscribed.is_error()) return 3;
    Channel session(subscribed.value());
    u8 request[16];
    ptah::HandleList handles;
    auto encoded = ptah::encode(protocols::KernelTime::Request(protocols::kernel_time::Now{}),
                                base::Bytes(request, sizeof(request)), handles);
    if (encoded.is_error()) return 4;
    base::ReadonlyBytes bytes(request, encoded.value().bytes);
    u8 reply[64];
    for (;;) {
        for (usize i = 0; i < batch; ++i)
            if (session.send(bytes).is_error()) return 5;
        for (usize i = 0; i < batch; ++i)
            if (session.receive(base::Bytes(reply, sizeof(reply))).is_error()) return 6;
    }
}
