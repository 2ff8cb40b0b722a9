// For ring_test: puts operations in flight on a ring (a wait on its channel, one on an event
// nobody raises, a timeout that never comes, a receive and a call on a channel nobody answers, a
// subscribe to a name nobody provides), says so on its channel, and waits in ring_enter for the
// first; it is killed there, or it returns from main with the others still in flight.

#include <poplar/channel.h>
#include <poplar/event.h>
#include <poplar/start.h>

#include "ring.h"

namespace abi = poplar::abi;

int main(const abi::StartInfo& start) {
    if (start.handle_count < 1) return 1;
    poplar::Channel channel(start.handles[0]);
    auto ring = usertest::TestRing::create(8);
    auto event = poplar::Event::create();
    if (ring.is_error() || event.is_error()) return 2;
    abi::RingSubmission entry{};
    entry.opcode = abi::ring_op::wait_signals;
    entry.tag = 1;
    entry.handle = channel.value();
    entry.signals = abi::signals::readable | abi::signals::peer_closed;
    entry.deadline = abi::deadline_infinite;
    ring.value().push(entry);
    entry.tag = 2;
    entry.handle = event.value().value();
    entry.signals = abi::signals::signaled;
    ring.value().push(entry);
    abi::RingSubmission timeout{};
    timeout.opcode = abi::ring_op::timeout;
    timeout.tag = 3;
    timeout.deadline = abi::deadline_infinite;
    ring.value().push(timeout);
    // Two pairs: the call's request must not be what the receive takes.
    auto silent = poplar::Channel::create();
    auto quiet = poplar::Channel::create();
    if (silent.is_error() || quiet.is_error()) return 2;
    abi::RingSubmission receive{};
    static u8 buffer[16];
    receive.opcode = abi::ring_op::channel_receive;
    receive.tag = 4;
    receive.handle = quiet.value().first.value();
    receive.address = reinterpret_cast<u64>(buffer);
    receive.length = sizeof(buffer);
    receive.deadline = abi::deadline_infinite;
    ring.value().push(receive);
    static u8 request[8] = {1};
    static abi::ChannelCallArguments call{request, sizeof(request), nullptr, 0, buffer, sizeof(buffer), nullptr, 0};
    abi::RingSubmission calling{};
    calling.opcode = abi::ring_op::channel_call;
    calling.tag = 5;
    calling.handle = silent.value().second.value();
    calling.address = reinterpret_cast<u64>(&call);
    calling.deadline = abi::deadline_infinite;
    ring.value().push(calling);
    static const char name[] = "test.never";
    abi::RingSubmission subscribe{};
    subscribe.opcode = abi::ring_op::service_subscribe;
    subscribe.tag = 6;
    subscribe.address = reinterpret_cast<u64>(name);
    subscribe.length = sizeof(name) - 1;
    subscribe.deadline = abi::deadline_infinite;
    ring.value().push(subscribe);
    if (ring.value().enter(6).value_or(0) != 6) return 3;
    u8 ready = 1;
    if (channel.send(base::ReadonlyBytes(&ready, 1)).is_error()) return 4;
    return ring.value().enter(0, 1).is_ok() ? 0 : 5;
}
