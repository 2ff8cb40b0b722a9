// For ring_test: puts operations in flight on a ring (a wait on its channel, one on an event
// nobody raises, a timeout that never comes), says so on its channel, and waits in ring_enter
// for the first; it is killed there, or it returns from main with the others still in flight.

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
    if (ring.value().enter(3).value_or(0) != 3) return 3;
    u8 ready = 1;
    if (channel.send(base::ReadonlyBytes(&ready, 1)).is_error()) return 4;
    return ring.value().enter(0, 1).is_ok() ? 0 : 5;
}
