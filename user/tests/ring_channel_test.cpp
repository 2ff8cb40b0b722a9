// The ring's channel and service operations (docs/async-syscalls.md): channel_send with handles
// and a transaction, channel_receive (beside a thread's receive at the same end), channel_call
// (several outstanding on one end, answered out of order, beside a synchronous call),
// service_subscribe; their failures, cancellation before, during and after, a peer dying
// mid-call, calls to a kernel service, and more calls than the work queue takes. Needs the boot
// module ring_peer.

#include <poplar/channel.h>
#include <poplar/event.h>
#include <poplar/protocols/kernel_time.h>
#include <poplar/service.h>
#include <poplar/start.h>
#include <poplar/task.h>
#include <ptah/protocol.h>

#include "object_counts.h"
#include "ring.h"
#include "test.h"

namespace abi = poplar::abi;
namespace sys = poplar::sys;
using abi::HandleValue;
using base::Error;
using usertest::cancel_of;
using usertest::entry_of;
using usertest::TestRing;

namespace {

constexpr u64 millisecond = 1'000'000;
constexpr u64 patience = 5000 * millisecond;

u32 status(Error error) { return static_cast<u32>(error); }

abi::RingSubmission send_of(const poplar::Handle& channel, const void* bytes, u64 length, u64 tag,
                            const HandleValue* handles = nullptr, u32 handle_count = 0, u64 transaction = 0) {
    auto entry = entry_of(abi::ring_op::channel_send, tag);
    entry.handle = channel.value();
    entry.address = reinterpret_cast<u64>(bytes);
    entry.length = length;
    entry.handles = reinterpret_cast<u64>(handles);
    entry.handle_count = handle_count;
    entry.transaction = transaction;
    return entry;
}

abi::RingSubmission receive_of(const poplar::Handle& channel, void* bytes, u64 capacity, u64 deadline, u64 tag,
                               HandleValue* handles = nullptr, u32 handle_capacity = 0) {
    auto entry = entry_of(abi::ring_op::channel_receive, tag);
    entry.handle = channel.value();
    entry.address = reinterpret_cast<u64>(bytes);
    entry.length = capacity;
    entry.handles = reinterpret_cast<u64>(handles);
    entry.handle_count = handle_capacity;
    entry.deadline = deadline;
    return entry;
}

abi::RingSubmission call_of(const poplar::Handle& channel, const abi::ChannelCallArguments* arguments, u64 deadline,
                            u64 tag) {
    auto entry = entry_of(abi::ring_op::channel_call, tag);
    entry.handle = channel.value();
    entry.address = reinterpret_cast<u64>(arguments);
    entry.deadline = deadline;
    return entry;
}

abi::RingSubmission subscribe_of(base::StringView name, u64 deadline, u64 tag) {
    auto entry = entry_of(abi::ring_op::service_subscribe, tag);
    entry.address = reinterpret_cast<u64>(name.data());
    entry.length = name.length();
    entry.deadline = deadline;
    return entry;
}

abi::ChannelCallArguments call_arguments(const void* bytes, u64 length, void* reply, u64 capacity,
                                         const HandleValue* handles = nullptr, u64 handle_count = 0,
                                         HandleValue* reply_handles = nullptr, u64 reply_handle_capacity = 0) {
    return abi::ChannelCallArguments{static_cast<const u8*>(bytes), length,   handles,       handle_count,
                                     static_cast<u8*>(reply),       capacity, reply_handles, reply_handle_capacity};
}

// The next completion, waiting for it until `deadline` (a tag of ~0 and status ~0: none came).
abi::RingCompletion next_completion(TestRing& ring, u64 deadline = sys::deadline_after(patience)) {
    abi::RingCompletion completion{~u64(0), 0, ~u32(0), 0, 0};
    if (ring.pop(completion)) return completion;
    if (ring.enter(0, 1, deadline).is_error()) return completion;
    ring.pop(completion);
    return completion;
}

// Submits one entry and returns its completion (at once, or once its job posts it).
abi::RingCompletion complete_one(TestRing& ring, const abi::RingSubmission& entry) {
    ring.push(entry);
    if (ring.enter(1).value_or(0) != 1) return abi::RingCompletion{~u64(0), 0, ~u32(0), 0, 0};
    return next_completion(ring);
}

bool nothing_completed(TestRing& ring) {
    abi::RingCompletion completion;
    return ring.enter(0, 1, abi::deadline_now).failed_with(Error::ShouldWait) && !ring.pop(completion);
}

struct Peer {
    poplar::Channel channel;
    poplar::Task task;
};

// ring_peer, told to answer `count` requests in reverse order (or, with 'd', to die after one).
base::ErrorOr<Peer> start_peer(u8 command, u8 count = 0) {
    auto pair = TRY(poplar::Channel::create());
    poplar::Handle handles[1] = {base::move(pair.second)};
    auto task = TRY(poplar::Task::spawn("ring_peer", base::Span<poplar::Handle>(handles)));
    u8 message[2] = {command, count};
    TRY(pair.first.send(base::ReadonlyBytes(message, count ? 2 : 1)));
    return Peer{base::move(pair.first), base::move(task)};
}

base::ErrorOr<void> end_peer(Peer& peer) {
    peer.channel.reset();
    auto status = TRY(peer.task.wait(sys::deadline_after(patience)));
    return status == 0 ? base::ErrorOr<void>{} : base::Error::Internal;
}

alignas(16) const u8 readonly_data[64] = {1};

// Whether nothing is queued at `channel` (a look without taking: the receive fails at once).
bool queue_is_empty(const poplar::Handle& channel) {
    u8 byte;
    return sys::channel_receive(channel.value(), &byte, 0, nullptr, 0, abi::deadline_now)
        .failed_with(Error::ShouldWait);
}

bool is_event(HandleValue handle) {
    auto info = sys::handle_info(handle);
    return info.is_ok() && info.value().object_type == poplar::ObjectType::Event;
}

USER_TEST(ring_channel_send_moves_handles_and_carries_a_transaction) {
    auto pair = ASSERT_OK(poplar::Channel::create());
    auto event = ASSERT_OK(poplar::Event::create());
    const u8 bytes[16] = {1, 2, 3};
    HandleValue passengers[1] = {event.value()};
    auto ring = ASSERT_OK(TestRing::create(8));
    EXPECT_EQ(complete_one(ring, send_of(pair.first, bytes, 16, 1, passengers, 1, 42)).status, 0u);
    (void)event.release();  // it moved with the message
    u8 buffer[16];
    HandleValue received[1] = {};
    auto sizes = ASSERT_OK(sys::channel_receive(pair.second.value(), buffer, 16, received, 1, abi::deadline_now));
    EXPECT_EQ(sizes.bytes, 16ull);
    EXPECT_EQ(sizes.handles, 1ull);
    EXPECT_EQ(sizes.transaction, 42ull);
    EXPECT(is_event(received[0]));
    EXPECT_OK(sys::handle_close(received[0]));
}

USER_TEST(ring_channel_send_refuses_bad_handles_and_counts_and_a_full_queue) {
    auto pair = ASSERT_OK(poplar::Channel::create());
    auto ring = ASSERT_OK(TestRing::create(8));
    const u8 byte = 1;
    HandleValue garbage[1] = {0xdeadbeef};
    EXPECT_EQ(complete_one(ring, send_of(pair.first, &byte, 1, 1, garbage, 1)).status, status(Error::BadHandle));
    auto* kernel_array = reinterpret_cast<const HandleValue*>(0xffff800000000000);
    EXPECT_EQ(complete_one(ring, send_of(pair.first, &byte, 1, 2, kernel_array, 1)).status, status(Error::BadAddress));
    HandleValue many[abi::max_message_handles + 1] = {};
    EXPECT_EQ(complete_one(ring, send_of(pair.first, &byte, 1, 3, many, abi::max_message_handles + 1)).status,
              status(Error::InvalidArgument));
    EXPECT_EQ(complete_one(ring, send_of(pair.first, &byte, abi::max_message_bytes + 1, 4)).status,
              status(Error::InvalidArgument));
    auto with_deadline = send_of(pair.first, &byte, 1, 5);
    with_deadline.deadline = 1;
    EXPECT_EQ(complete_one(ring, with_deadline).status, status(Error::InvalidArgument));
    EXPECT(queue_is_empty(pair.second));
    // The queue fills at its limit: ShouldWait, and nothing more goes.
    u32 sent = 0;
    for (; sent < 100; ++sent)
        if (complete_one(ring, send_of(pair.first, &byte, 1, 6)).status != 0) break;
    EXPECT_EQ(sent, 64u);
    EXPECT_EQ(complete_one(ring, send_of(pair.first, &byte, 1, 7)).status, status(Error::ShouldWait));
}

USER_TEST(ring_channel_receive_takes_a_queued_message_with_its_handles_and_transaction) {
    auto pair = ASSERT_OK(poplar::Channel::create());
    auto event = ASSERT_OK(poplar::Event::create());
    HandleValue passenger = event.release();
    const u8 bytes[4] = {'a', 'b', 'c', 'd'};
    EXPECT_OK(sys::channel_send(pair.first.value(), bytes, 4, &passenger, 1, 99));
    auto ring = ASSERT_OK(TestRing::create(8));
    u8 buffer[8] = {};
    HandleValue received[2] = {};
    auto done = complete_one(ring, receive_of(pair.second, buffer, 8, abi::deadline_now, 1, received, 2));
    EXPECT_EQ(done.status, 0u);
    EXPECT_EQ(done.tag, 1u);
    EXPECT_EQ(done.value, abi::pack_message_sizes(4, 1));
    EXPECT_EQ(done.transaction, 99ull);
    EXPECT_EQ(buffer[3], 'd');
    EXPECT(is_event(received[0]));
    EXPECT_OK(sys::handle_close(received[0]));
}

USER_TEST(ring_channel_receive_waits_for_a_message_then_completes) {
    auto pair = ASSERT_OK(poplar::Channel::create());
    auto ring = ASSERT_OK(TestRing::create(8));
    u8 buffer[300] = {};
    HandleValue received[1] = {};
    ring.push(receive_of(pair.second, buffer, sizeof(buffer), abi::deadline_infinite, 7, received, 1));
    EXPECT_EQ(ring.enter(1).value_or(0), 1u);
    EXPECT(nothing_completed(ring));
    // Large, with a handle: it goes through the job's copy into this address space.
    u8 big[300];
    for (u32 i = 0; i < sizeof(big); ++i) big[i] = u8(i);
    auto event = ASSERT_OK(poplar::Event::create());
    HandleValue passenger = event.release();
    EXPECT_OK(sys::channel_send(pair.first.value(), big, sizeof(big), &passenger, 1, 5));
    auto done = next_completion(ring);
    EXPECT_EQ(done.tag, 7u);
    EXPECT_EQ(done.status, 0u);
    EXPECT_EQ(done.value, abi::pack_message_sizes(300, 1));
    EXPECT_EQ(done.transaction, 5ull);
    EXPECT_EQ(buffer[299], u8(299));
    EXPECT(is_event(received[0]));
    EXPECT_OK(sys::handle_close(received[0]));
}

// A thread waiting in channel_receive as the end's direct reader (room for 1 byte) and a ring
// receive's job waiting at the same end: the peer's call queues a message and hands the CPU to
// the job (woken first), which takes it. The thread, woken for it too, must wait again, so that
// the peer's end closing later still reaches it (it slept out its deadline when it did not).
USER_TEST(thread_receive_woken_for_a_message_a_ring_receive_took_waits_again) {
    auto peer = ASSERT_OK(start_peer('c'));
    auto ring = ASSERT_OK(TestRing::create(8));
    u8 buffer[64] = {};
    ring.push(receive_of(peer.channel, buffer, sizeof(buffer), sys::deadline_after(patience), 1));
    EXPECT_EQ(ring.enter(1).value_or(0), 1u);
    u8 small[1];
    u64 deadline = sys::deadline_after(patience);
    auto received = sys::channel_receive(peer.channel.value(), small, sizeof(small), nullptr, 0, deadline);
    EXPECT(received.failed_with(Error::PeerClosed));
    EXPECT(sys::clock_read() < deadline);  // woken by the close, not by its deadline
    auto done = next_completion(ring);
    EXPECT_EQ(done.tag, 1u);
    EXPECT_EQ(done.status, 0u);
    EXPECT_EQ(done.value, abi::pack_message_sizes(32, 0));
    EXPECT_EQ(buffer[0], u8('c'));
    EXPECT_OK(end_peer(peer));
}

USER_TEST(ring_channel_receive_failures_leave_the_message_queued) {
    auto pair = ASSERT_OK(poplar::Channel::create());
    auto ring = ASSERT_OK(TestRing::create(8));
    u8 buffer[8];
    EXPECT_EQ(complete_one(ring, receive_of(pair.second, buffer, 8, abi::deadline_now, 1)).status,
              status(Error::ShouldWait));
    u64 start = sys::clock_read();
    EXPECT_EQ(complete_one(ring, receive_of(pair.second, buffer, 8, start + 10 * millisecond, 2)).status,
              status(Error::TimedOut));
    EXPECT(sys::clock_read() - start >= 10 * millisecond);
    auto event = ASSERT_OK(poplar::Event::create());
    HandleValue passenger = event.release();
    const u8 bytes[6] = {1};
    EXPECT_OK(sys::channel_send(pair.first.value(), bytes, 6, &passenger, 1));
    // Too small for the bytes, or for the handle: the sizes it needs, and it stays queued.
    auto small = complete_one(ring, receive_of(pair.second, buffer, 2, abi::deadline_now, 3));
    EXPECT_EQ(small.status, status(Error::BufferTooSmall));
    EXPECT_EQ(small.value, abi::pack_message_sizes(6, 1));
    EXPECT_EQ(complete_one(ring, receive_of(pair.second, buffer, 8, abi::deadline_now, 4)).status,
              status(Error::BufferTooSmall));
    // Bad buffers.
    HandleValue handles[1];
    EXPECT_EQ(complete_one(ring, receive_of(pair.second, reinterpret_cast<void*>(0xffff800000000000), 8,
                                            abi::deadline_now, 5, handles, 1))
                  .status,
              status(Error::BadAddress));
    EXPECT_EQ(
        complete_one(ring, receive_of(pair.second, const_cast<u8*>(readonly_data), 8, abi::deadline_now, 6, handles, 1))
            .status,
        status(Error::BadAddress));
    // A stray transaction, rights, types.
    auto stray = receive_of(pair.second, buffer, 8, abi::deadline_now, 7, handles, 1);
    stray.transaction = 1;
    EXPECT_EQ(complete_one(ring, stray).status, status(Error::InvalidArgument));
    auto event2 = ASSERT_OK(poplar::Event::create());
    EXPECT_EQ(complete_one(ring, receive_of(event2, buffer, 8, abi::deadline_now, 8, handles, 1)).status,
              status(Error::WrongType));
    // Still there, whole.
    auto sizes = ASSERT_OK(sys::channel_receive(pair.second.value(), buffer, 8, handles, 1, abi::deadline_now));
    EXPECT_EQ(sizes.bytes, 6ull);
    EXPECT_OK(sys::handle_close(handles[0]));
    // The peer gone and the queue empty: PeerClosed, at once and for one waiting.
    ring.push(receive_of(pair.second, buffer, 8, abi::deadline_infinite, 9));
    EXPECT_EQ(ring.enter(1).value_or(0), 1u);
    pair.first.reset();
    auto closed = next_completion(ring);
    EXPECT_EQ(closed.tag, 9u);
    EXPECT_EQ(closed.status, status(Error::PeerClosed));
    EXPECT_EQ(complete_one(ring, receive_of(pair.second, buffer, 8, abi::deadline_now, 10)).status,
              status(Error::PeerClosed));
}

USER_TEST(ring_calls_answered_out_of_order_each_complete_with_their_own_reply) {
    constexpr u32 calls = 8;
    auto peer = ASSERT_OK(start_peer('r', calls));
    auto ring = ASSERT_OK(TestRing::create(16));
    u64 requests[calls];
    u64 replies[calls] = {};
    abi::ChannelCallArguments arguments[calls];
    for (u32 i = 0; i < calls; ++i) {
        requests[i] = 1000 + i;
        arguments[i] = call_arguments(&requests[i], sizeof(u64), &replies[i], sizeof(u64));
        ring.push(call_of(peer.channel, &arguments[i], sys::deadline_after(patience), 100 + i));
    }
    EXPECT_EQ(ring.enter(calls).value_or(0), calls);
    u32 seen = 0;
    for (u32 n = 0; n < calls; ++n) {
        auto done = next_completion(ring);
        EXPECT_EQ(done.status, 0u);
        u64 index = done.tag - 100;
        if (index >= calls) continue;
        seen |= 1u << index;
        EXPECT_EQ(done.value, abi::pack_message_sizes(sizeof(u64), 0));
        EXPECT_EQ(replies[index], requests[index]);
    }
    EXPECT_EQ(seen, (1u << calls) - 1);
    EXPECT_OK(end_peer(peer));
}

USER_TEST(a_sync_call_and_ring_calls_are_outstanding_on_one_end_at_once) {
    auto peer = ASSERT_OK(start_peer('r', 3));
    auto ring = ASSERT_OK(TestRing::create(8));
    u64 requests[2] = {11, 22}, replies[2] = {};
    abi::ChannelCallArguments arguments[2] = {call_arguments(&requests[0], 8, &replies[0], 8),
                                              call_arguments(&requests[1], 8, &replies[1], 8)};
    ring.push(call_of(peer.channel, &arguments[0], abi::deadline_infinite, 1));
    ring.push(call_of(peer.channel, &arguments[1], abi::deadline_infinite, 2));
    EXPECT_EQ(ring.enter(2).value_or(0), 2u);
    // The third request: the peer answers it first (reverse order), while the ring calls wait.
    u64 request = 33, reply = 0;
    auto sizes =
        ASSERT_OK(peer.channel.call(base::ReadonlyBytes(reinterpret_cast<u8*>(&request), 8), {},
                                    base::Bytes(reinterpret_cast<u8*>(&reply), 8), {}, sys::deadline_after(patience)));
    EXPECT_EQ(sizes.bytes, 8ull);
    EXPECT_EQ(reply, 33ull);
    for (u32 n = 0; n < 2; ++n) {
        auto done = next_completion(ring);
        EXPECT_EQ(done.status, 0u);
        if (done.tag == 1 || done.tag == 2) EXPECT_EQ(replies[done.tag - 1], requests[done.tag - 1]);
    }
    EXPECT_OK(end_peer(peer));
}

USER_TEST(a_reply_to_a_cancelled_call_is_queued_and_received_with_its_transaction) {
    auto pair = ASSERT_OK(poplar::Channel::create());
    auto ring = ASSERT_OK(TestRing::create(8));
    u64 request = 5, reply = 0;
    auto arguments = call_arguments(&request, 8, &reply, 8);
    ring.push(call_of(pair.first, &arguments, abi::deadline_infinite, 1));
    EXPECT_EQ(ring.enter(1).value_or(0), 1u);
    u64 seen = 0;
    auto asked = ASSERT_OK(pair.second.receive(base::Bytes(reinterpret_cast<u8*>(&seen), 8), {}, abi::deadline_now));
    EXPECT(asked.transaction != 0);
    EXPECT_EQ(seen, 5ull);
    // Cancelled during its wait: Cancelled after the cancel's own completion, the request gone.
    auto cancelled = complete_one(ring, cancel_of(1, 2));
    EXPECT_EQ(cancelled.tag, 2u);
    EXPECT_EQ(cancelled.status, 0u);
    auto call = next_completion(ring);
    EXPECT_EQ(call.tag, 1u);
    EXPECT_EQ(call.status, status(Error::Cancelled));
    EXPECT(call.value & abi::call_request_sent);
    // Cancelling it again, now that it is done: NotFound.
    EXPECT_EQ(complete_one(ring, cancel_of(1, 3)).status, status(Error::NotFound));
    // The late reply is queued like any message, with the transaction it carried.
    u64 answer = 6;
    EXPECT_OK(sys::channel_send(pair.second.value(), &answer, 8, nullptr, 0, asked.transaction));
    u64 late = 0;
    auto received = ASSERT_OK(pair.first.receive(base::Bytes(reinterpret_cast<u8*>(&late), 8), {}, abi::deadline_now));
    EXPECT_EQ(received.transaction, asked.transaction);
    EXPECT_EQ(late, 6ull);
    EXPECT_EQ(reply, 0ull);
}

USER_TEST(a_cancel_before_its_target_started_finds_nothing_and_the_target_runs) {
    auto pair = ASSERT_OK(poplar::Channel::create());
    auto ring = ASSERT_OK(TestRing::create(8));
    u64 request = 1, reply = 0;
    auto arguments = call_arguments(&request, 8, &reply, 8);
    // In one batch, the cancel first: its target is not in flight yet.
    ring.push(cancel_of(1, 2));
    ring.push(call_of(pair.first, &arguments, sys::deadline_after(10 * millisecond), 1));
    EXPECT_EQ(ring.enter(2).value_or(0), 2u);
    auto cancel = next_completion(ring);
    EXPECT_EQ(cancel.tag, 2u);
    EXPECT_EQ(cancel.status, status(Error::NotFound));
    auto call = next_completion(ring);
    EXPECT_EQ(call.tag, 1u);
    EXPECT_EQ(call.status, status(Error::TimedOut));
    EXPECT(call.value & abi::call_request_sent);
}

USER_TEST(a_peer_dying_mid_call_ends_the_call_with_peer_closed) {
    auto peer = ASSERT_OK(start_peer('d'));
    auto ring = ASSERT_OK(TestRing::create(8));
    u64 request = 1, reply = 0;
    auto arguments = call_arguments(&request, 8, &reply, 8);
    auto done = complete_one(ring, call_of(peer.channel, &arguments, sys::deadline_after(patience), 1));
    EXPECT_EQ(done.status, status(Error::PeerClosed));
    EXPECT(done.value & abi::call_request_sent);
    EXPECT_EQ(peer.task.wait(sys::deadline_after(patience)).value_or(-1), 0);
}

USER_TEST(handles_move_both_ways_through_a_ring_call) {
    auto peer = ASSERT_OK(start_peer('r', 1));
    auto ring = ASSERT_OK(TestRing::create(8));
    auto event = ASSERT_OK(poplar::Event::create());
    HandleValue passenger = event.value();
    u8 request[20] = {7}, reply[20] = {};
    HandleValue reply_handles[2] = {};
    auto arguments = call_arguments(request, sizeof(request), reply, sizeof(reply), &passenger, 1, reply_handles, 2);
    auto done = complete_one(ring, call_of(peer.channel, &arguments, sys::deadline_after(patience), 1));
    EXPECT_EQ(done.status, 0u);
    EXPECT_EQ(done.value, abi::pack_message_sizes(20, 1));
    (void)event.release();  // it went with the request
    EXPECT(is_event(reply_handles[0]));
    EXPECT(reply_handles[0] != passenger || is_event(reply_handles[0]));
    EXPECT_EQ(reply[0], 7u);
    EXPECT_OK(sys::handle_close(reply_handles[0]));
    EXPECT_OK(end_peer(peer));
}

USER_TEST(ring_call_failures_say_whether_the_request_went) {
    auto pair = ASSERT_OK(poplar::Channel::create());
    auto ring = ASSERT_OK(TestRing::create(8));
    u64 request = 1;
    u8 reply[4];
    // Refused before sending: bad arguments pointer, bad reply buffers, rights, stray fields.
    auto bad_pointer =
        call_of(pair.first, reinterpret_cast<abi::ChannelCallArguments*>(0xffff800000000000), abi::deadline_now, 1);
    EXPECT_EQ(complete_one(ring, bad_pointer).status, status(Error::BadAddress));
    auto kernel_reply = call_arguments(&request, 8, reinterpret_cast<void*>(0xffff800000000000), 8);
    EXPECT_EQ(complete_one(ring, call_of(pair.first, &kernel_reply, abi::deadline_now, 2)).status,
              status(Error::BadAddress));
    auto arguments = call_arguments(&request, 8, reply, sizeof(reply));
    auto send_only = poplar::Handle(ASSERT_OK(sys::handle_replace(pair.first.value(), abi::rights::send)));
    auto refused = complete_one(ring, call_of(send_only, &arguments, abi::deadline_now, 3));
    EXPECT_EQ(refused.status, status(Error::AccessDenied));
    EXPECT_EQ(refused.value, 0ull);
    auto stray = call_of(send_only, &arguments, abi::deadline_now, 4);
    stray.length = 8;
    EXPECT_EQ(complete_one(ring, stray).status, status(Error::InvalidArgument));
    auto other = ASSERT_OK(poplar::Channel::create());
    // A reply too big for the buffer: BufferTooSmall with its sizes, and it is queued.
    ring.push(call_of(other.first, &arguments, sys::deadline_after(patience), 5));
    EXPECT_EQ(ring.enter(1).value_or(0), 1u);
    u64 seen = 0;
    auto asked = ASSERT_OK(other.second.receive(base::Bytes(reinterpret_cast<u8*>(&seen), 8), {}, abi::deadline_now));
    const u8 long_reply[32] = {3};
    EXPECT_OK(sys::channel_send(other.second.value(), long_reply, sizeof(long_reply), nullptr, 0, asked.transaction));
    auto done = next_completion(ring);
    EXPECT_EQ(done.tag, 5u);
    EXPECT_EQ(done.status, status(Error::BufferTooSmall));
    EXPECT_EQ(done.value & ~abi::call_request_sent, abi::pack_message_sizes(32, 0));
    EXPECT(done.value & abi::call_request_sent);
    u8 buffer[32];
    auto queued = ASSERT_OK(other.first.receive(base::Bytes(buffer), {}, abi::deadline_now));
    EXPECT_EQ(queued.bytes, 32ull);
    EXPECT_EQ(queued.transaction, asked.transaction);
    // A full peer queue: the request cannot go (ShouldWait), nothing is waiting after.
    const u8 byte = 0;
    for (u32 i = 0; i < 64; ++i) EXPECT_OK(sys::channel_send(other.first.value(), &byte, 1, nullptr, 0));
    auto full = complete_one(ring, call_of(other.first, &arguments, abi::deadline_infinite, 6));
    EXPECT_EQ(full.status, status(Error::ShouldWait));
    EXPECT_EQ(full.value, 0ull);
    // ...but a reply still reaches its call past a full queue.
    auto reverse = ASSERT_OK(poplar::Channel::create());
    for (u32 i = 0; i < 64; ++i) EXPECT_OK(sys::channel_send(reverse.second.value(), &byte, 1, nullptr, 0));
    ring.push(call_of(reverse.first, &arguments, sys::deadline_after(patience), 7));
    EXPECT_EQ(ring.enter(1).value_or(0), 1u);
    auto question =
        ASSERT_OK(reverse.second.receive(base::Bytes(reinterpret_cast<u8*>(&seen), 8), {}, abi::deadline_now));
    EXPECT_OK(sys::channel_send(reverse.second.value(), &byte, 1, nullptr, 0, question.transaction));
    auto answered = next_completion(ring);
    EXPECT_EQ(answered.tag, 7u);
    EXPECT_EQ(answered.status, 0u);
}

USER_TEST(ring_service_subscribe_succeeds_times_out_refuses_bad_names_and_cancels) {
    auto ring = ASSERT_OK(TestRing::create(8));
    auto time = complete_one(ring, subscribe_of("kernel.time", abi::deadline_now, 1));
    EXPECT_EQ(time.status, 0u);
    auto info = ASSERT_OK(sys::handle_info(HandleValue(time.value)));
    EXPECT_EQ(info.object_type, poplar::ObjectType::Channel);
    EXPECT_OK(sys::handle_close(HandleValue(time.value)));
    EXPECT_EQ(complete_one(ring, subscribe_of("test.nobody", abi::deadline_now, 2)).status, status(Error::NotFound));
    u64 start = sys::clock_read();
    EXPECT_EQ(complete_one(ring, subscribe_of("test.nobody", start + 20 * millisecond, 3)).status,
              status(Error::TimedOut));
    EXPECT(sys::clock_read() - start >= 20 * millisecond);
    EXPECT_EQ(complete_one(ring, subscribe_of("Bad Name!", abi::deadline_now, 4)).status,
              status(Error::InvalidArgument));
    EXPECT_EQ(complete_one(ring, subscribe_of(base::StringView("x", 0), abi::deadline_now, 5)).status,
              status(Error::InvalidArgument));
    auto bad = subscribe_of("test.nobody", abi::deadline_now, 6);
    bad.address = 0xffff800000000000;
    EXPECT_EQ(complete_one(ring, bad).status, status(Error::BadAddress));
    auto stray = subscribe_of("test.nobody", abi::deadline_now, 7);
    stray.handle = 1;
    EXPECT_EQ(complete_one(ring, stray).status, status(Error::InvalidArgument));
    // Waiting: it completes once the name is registered...
    ring.push(subscribe_of("test.ringsub", abi::deadline_infinite, 8));
    EXPECT_EQ(ring.enter(1).value_or(0), 1u);
    EXPECT(nothing_completed(ring));
    {
        auto registration = ASSERT_OK(poplar::ServiceRegistration::create("test.ringsub"));
        auto subscribed = next_completion(ring);
        EXPECT_EQ(subscribed.tag, 8u);
        EXPECT_EQ(subscribed.status, 0u);
        auto client = ASSERT_OK(registration.accept(sys::deadline_after(patience)));
        (void)client;
        EXPECT_OK(sys::handle_close(HandleValue(subscribed.value)));
    }
    // ...or ends Cancelled.
    ring.push(subscribe_of("test.nobody", abi::deadline_infinite, 9));
    EXPECT_EQ(ring.enter(1).value_or(0), 1u);
    EXPECT_EQ(complete_one(ring, cancel_of(9, 10)).status, 0u);
    auto cancelled = next_completion(ring);
    EXPECT_EQ(cancelled.tag, 9u);
    EXPECT_EQ(cancelled.status, status(Error::Cancelled));
}

USER_TEST(calls_past_the_work_queue_limit_are_refused_and_all_is_reclaimed) {
    auto before = usertest::counts();
    {
        auto ring = ASSERT_OK(TestRing::create(512));
        // Peers that never answer; each queue takes 64 requests.
        constexpr u32 pairs = 5;
        poplar::Channel::Pair channels[pairs] = {
            ASSERT_OK(poplar::Channel::create()), ASSERT_OK(poplar::Channel::create()),
            ASSERT_OK(poplar::Channel::create()), ASSERT_OK(poplar::Channel::create()),
            ASSERT_OK(poplar::Channel::create())};
        u64 request = 0, reply = 0;
        auto arguments = call_arguments(&request, 8, &reply, 8);
        u32 pushed = 0;
        for (u32 i = 0; i < pairs; ++i)
            for (u32 j = 0; j < 60; ++j, ++pushed)
                ring.push(call_of(channels[i].first, &arguments, abi::deadline_infinite, 1 + pushed));
        EXPECT_EQ(ring.enter(pushed).value_or(0), pushed);
        // The work queue takes 256 jobs; the rest complete at once, refused before sending.
        u32 refused = 0;
        abi::RingCompletion completion;
        while (ring.pop(completion)) {
            EXPECT_EQ(completion.status, status(Error::LimitReached));
            EXPECT_EQ(completion.value, 0ull);
            ++refused;
        }
        EXPECT(refused >= pushed - 256 && refused < pushed);
    }
    // The ring closed: every call cancelled, every object back.
    auto now = usertest::settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

USER_TEST(ring_calls_to_kernel_time_are_each_answered) {
    namespace kernel_time = poplar::protocols::kernel_time;
    using poplar::protocols::KernelTime;
    auto session = poplar::Channel(ASSERT_OK(sys::service_subscribe("kernel.time", 11, abi::deadline_now)));
    auto ring = ASSERT_OK(TestRing::create(8));
    u8 request[64];
    ptah::HandleList handles;
    auto size = ASSERT_OK(ptah::to_system_result(
        ptah::encode(KernelTime::Request(kernel_time::Now{}), base::Bytes(request, sizeof(request)), handles)));
    constexpr u32 calls = 4;
    u8 replies[calls][64];
    abi::ChannelCallArguments arguments[calls];
    u64 before = sys::clock_read();
    for (u32 i = 0; i < calls; ++i) {
        arguments[i] = call_arguments(request, size.bytes, replies[i], sizeof(replies[i]));
        ring.push(call_of(session, &arguments[i], sys::deadline_after(patience), i + 1));
    }
    EXPECT_EQ(ring.enter(calls).value_or(0), calls);
    for (u32 n = 0; n < calls; ++n) {
        auto done = next_completion(ring);
        EXPECT_EQ(done.status, 0u);
        if (done.tag < 1 || done.tag > calls) continue;
        auto decoded = ptah::decode<KernelTime::Response>(
            base::ReadonlyBytes(replies[done.tag - 1], abi::message_bytes_of(done.value)), {});
        EXPECT(decoded.is_ok() && decoded.value().is<kernel_time::Time>());
        if (decoded.is_ok() && decoded.value().is<kernel_time::Time>())
            EXPECT(decoded.value().get<kernel_time::Time>().nanoseconds >= before);
    }
}

// Replies too big for their calls' buffers are queued at the caller's end for a later receive,
// but never past the queue's limit (64): a caller that keeps calling with no room for the reply
// must not make the server (here a kernel service, whose replies are uncharged kernel memory) fill
// its queue without end. The sizes are still reported; replies past the limit are dropped.
USER_TEST(replies_too_big_for_their_calls_never_grow_the_callers_queue_past_its_limit) {
    namespace kernel_time = poplar::protocols::kernel_time;
    using poplar::protocols::KernelTime;
    auto session = poplar::Channel(ASSERT_OK(sys::service_subscribe("kernel.time", 11, abi::deadline_now)));
    u8 request[64];
    ptah::HandleList handles;
    auto size = ASSERT_OK(ptah::to_system_result(
        ptah::encode(KernelTime::Request(kernel_time::Now{}), base::Bytes(request, sizeof(request)), handles)));
    constexpr u32 limit = 64, calls = 3 * limit;
    // Synchronous calls, then ring calls, each with no room for the reply's bytes.
    auto arguments = call_arguments(request, size.bytes, nullptr, 0);
    u32 too_small = 0;
    for (u32 i = 0; i < calls; ++i) {
        sys::MessageSizes needed;
        auto called = sys::channel_call(session.value(), arguments, sys::deadline_after(patience), &needed);
        if (called.failed_with(Error::BufferTooSmall) && needed.bytes > 0) ++too_small;
    }
    EXPECT_EQ(too_small, calls);
    auto ring = ASSERT_OK(TestRing::create(8));
    u32 ring_too_small = 0;
    for (u32 i = 0; i < calls; ++i) {
        auto done = complete_one(ring, call_of(session, &arguments, sys::deadline_after(patience), i + 1));
        if (done.status == status(Error::BufferTooSmall)) ++ring_too_small;
    }
    EXPECT_EQ(ring_too_small, calls);
    // The replies that were queued: at most the queue's limit.
    u32 queued = 0;
    u8 reply[64];
    while (sys::channel_receive(session.value(), reply, sizeof(reply), nullptr, 0, abi::deadline_now).is_ok()) ++queued;
    EXPECT(queued > 0);
    EXPECT(queued <= limit);
    // The session still works.
    u8 answer[64];
    auto fits = call_arguments(request, size.bytes, answer, sizeof(answer));
    EXPECT_OK(sys::channel_call(session.value(), fits, sys::deadline_after(patience)));
}

}  // namespace

int main(const abi::StartInfo&) { return usertest::run_all_tests("ring_channel_test"); }
