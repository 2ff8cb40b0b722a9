// A helper spawned by fast_path_test: a receiver that blocks while the test sends to it
// (fast_path.h). It exits 0 when the test closes its end, and with 3-7 when something unexpected
// happens.

#include <poplar/channel.h>
#include <poplar/memory_object.h>
#include <poplar/start.h>

#include "fast_path.h"
#include "xorshift.h"

using namespace fast_path;
namespace abi = poplar::abi;
namespace sys = poplar::sys;

namespace {

constexpr u64 buffer_capacity = 64;

template <typename T>
base::ReadonlyBytes bytes_of(const T& value) {
    return base::ReadonlyBytes(reinterpret_cast<const u8*>(&value), sizeof(value));
}

u32 status_of(const base::ErrorOr<sys::MessageSizes>& result) {
    return result.is_ok() ? 0 : static_cast<u32>(result.error());
}

// Waits in a receive into a bad buffer, then receives into a good one without waiting.
int receive_into_bad_buffer(const poplar::Channel& channel, Buffer kind) {
    // Kept until the end: the read-only mapping is checked after the receives.
    auto memory = poplar::MemoryObject::create(abi::page_size);
    if (memory.is_error()) return 5;
    auto mapping = memory.value().map(kind == Buffer::read_only ? 0 : abi::memory_flags::writable);
    if (mapping.is_error()) return 5;
    u64 address = mapping.value().address(), capacity = buffer_capacity;
    if (kind == Buffer::unmapped && mapping.value().unmap().is_error()) return 5;
    static u8 good[buffer_capacity];
    if (kind == Buffer::too_small) {
        address = reinterpret_cast<u64>(good);
        capacity = 8;
    }

    Attempt attempt{};
    if (channel.send(bytes_of(u8(1))).is_error()) return 6;  // ready
    sys::MessageSizes needed;
    attempt.entered_at = sys::clock_read();
    auto waited = sys::channel_receive(channel.value(), reinterpret_cast<void*>(address), capacity, nullptr, 0,
                                       sys::deadline_after(5'000'000'000), &needed);
    attempt.waited_error = status_of(waited);
    attempt.needed_bytes = needed.bytes;
    auto later =
        sys::channel_receive(channel.value(), attempt.later_payload, payload_bytes, nullptr, 0, abi::deadline_now);
    attempt.later_error = status_of(later);
    attempt.later_bytes = later.is_ok() ? later.value().bytes : 0;
    attempt.buffer_intact = true;
    if (kind == Buffer::read_only)
        for (u64 i = 0; i < capacity; ++i) attempt.buffer_intact &= mapping.value().data()[i] == 0;
    if (channel.send(bytes_of(attempt)).is_error()) return 6;
    u8 byte;
    return channel.receive(base::Bytes(&byte, 1)).error() == base::Error::PeerClosed ? 0 : 7;
}

u64 random_state = 0x2545f4914f6cdd1dull;
u64 next_random() { return usertest::xorshift(random_state); }

// Receives sequenced messages until the peer closes, counting into `tally`. With deadlines, each
// receive waits at most 100 us and a TimedOut is retried.
int count_messages(const poplar::Channel& channel, poplar::MemoryObject memory, bool with_deadlines) {
    auto mapping = memory.map();
    if (mapping.is_error()) return 5;
    auto* tally = reinterpret_cast<volatile Tally*>(mapping.value().data());
    if (channel.send(bytes_of(u8(1))).is_error()) return 6;  // ready
    for (;;) {
        Sequenced message{};
        u64 deadline = with_deadlines ? sys::deadline_after(next_random() % 100'000) : abi::deadline_infinite;
        auto sizes = channel.receive(base::Bytes(reinterpret_cast<u8*>(&message), sizeof(message)), {}, deadline);
        if (sizes.is_error() && sizes.error() == base::Error::TimedOut) {
            tally->timed_out = tally->timed_out + 1;
            continue;
        }
        if (sizes.is_error()) return sizes.error() == base::Error::PeerClosed ? 0 : 7;
        if (with_deadlines && sys::clock_read() > deadline) tally->late = tally->late + 1;
        bool next = sizes.value().bytes == sizeof(message) && message.sequence == tally->last + 1 &&
                    message.check == ~message.sequence;
        if (!next) tally->out_of_order = tally->out_of_order + 1;
        tally->last = message.sequence;
        tally->received = tally->received + 1;
    }
}

}  // namespace

int main(const abi::StartInfo& start_info) {
    if (start_info.handle_count < 1) return 3;
    poplar::Channel channel(start_info.handles[0]);
    Order order;
    auto sizes = channel.receive(base::Bytes(reinterpret_cast<u8*>(&order), sizeof(order)));
    if (sizes.is_error() || sizes.value().bytes != sizeof(order)) return 4;
    if (order.role == Role::bad_buffer) return receive_into_bad_buffer(channel, order.buffer);
    if (start_info.handle_count < 2) return 3;
    poplar::MemoryObject memory(start_info.handles[1], abi::page_size);
    return count_messages(channel, base::move(memory), order.role == Role::count_with_deadlines);
}
