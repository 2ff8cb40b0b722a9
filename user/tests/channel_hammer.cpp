// A partner for hardening_test: its first start handle is a channel. It sends messages larger
// than the kernel's direct-delivery limit as fast as the queue takes them, waiting for room
// when it is full, until the peer goes away; then it exits 0.

#include <poplar/channel.h>
#include <poplar/start.h>

int main(const poplar::abi::StartInfo& start_info) {
    if (start_info.handle_count < 1) return 3;
    poplar::Channel channel(start_info.handles[0]);
    static u8 message[1024];
    for (u64 sent = 0;; ++sent) {
        message[0] = static_cast<u8>(sent);
        auto result = channel.send(base::ReadonlyBytes(message));
        if (result.is_ok()) continue;
        if (result.error() == base::Error::PeerClosed) return 0;
        if (result.error() != base::Error::ShouldWait) return 4;
        auto room = channel.wait(poplar::abi::signals::writable | poplar::abi::signals::peer_closed);
        if (room.is_error()) return 5;
    }
}
