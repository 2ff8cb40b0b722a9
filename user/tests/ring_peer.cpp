// For ring_channel_test: the other end of the test's calls. It takes a command on its channel
// (a plain message, transaction 0), then acts on what comes next:
//   'r' n   receives n requests, then answers them in reverse order, each reply its request's
//           bytes and handles back, carrying its transaction (calls answered out of order);
//   'd'     receives one request and exits without answering (a peer dying mid-call);
//   'c'     waits 50 ms, makes a call of 32 bytes that no one answers (50 ms deadline), and
//           exits (a message queued by a caller, which hands the CPU to whom it wakes first).
// It exits 0 once the test's end is gone.

#include <poplar/channel.h>
#include <poplar/start.h>

namespace abi = poplar::abi;

namespace {

constexpr u32 max_requests = 16;

struct Request {
    u8 bytes[64];
    poplar::MessageSizes sizes;
    poplar::Handle handles[abi::max_message_handles];
};
Request requests[max_requests];

}  // namespace

int main(const abi::StartInfo& start) {
    if (start.handle_count < 1) return 1;
    poplar::Channel channel(start.handles[0]);
    for (;;) {
        u8 command[2];
        auto sizes = channel.receive(base::Bytes(command, sizeof(command)));
        if (sizes.failed_with(base::Error::PeerClosed)) return 0;
        if (sizes.is_error() || sizes.value().bytes == 0) return 2;
        if (command[0] == 'c') {
            (void)poplar::sys::sleep(poplar::sys::deadline_after(50'000'000));
            u8 request[32] = {'c'};
            u8 reply[32];
            auto called = channel.call(base::ReadonlyBytes(request, sizeof(request)), {}, base::Bytes(reply), {},
                                       poplar::sys::deadline_after(50'000'000));
            return called.failed_with(base::Error::TimedOut) ? 0 : 6;
        }
        u32 count = command[0] == 'r' && sizes.value().bytes == 2 ? command[1] : 1;
        if (count > max_requests) return 3;
        for (u32 i = 0; i < count; ++i) {
            auto& request = requests[i];
            auto received = channel.receive(base::Bytes(request.bytes), base::Span<poplar::Handle>(request.handles));
            if (received.is_error()) return 4;
            request.sizes = received.value();
        }
        if (command[0] == 'd') return 0;
        for (u32 i = count; i > 0; --i) {
            auto& request = requests[i - 1];
            auto sent = channel.send(base::ReadonlyBytes(request.bytes, request.sizes.bytes),
                                     base::Span<poplar::Handle>(request.handles, request.sizes.handles),
                                     request.sizes.transaction);
            if (sent.is_error()) return 5;
        }
    }
}
