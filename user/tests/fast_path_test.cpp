// The IPC fast path's fallbacks, from ring 3: a small message without handles sent to an end whose
// receiver is blocked is copied straight into the receiver's buffer; when it cannot be, the
// message must take the normal path and nothing may be lost, repeated or written where it must
// not be. The receiver is a child task, fast_path_receiver (fast_path.h).
//
// Two receivers blocked on one end cannot be had from user space: an end has one handle, a task
// one thread, and kernel-held ends no handle at all. That case is a kernel test (ktest ipc).

#include <poplar/channel.h>
#include <poplar/memory_object.h>
#include <poplar/start.h>
#include <poplar/task.h>

#include "fast_path.h"
#include "object_counts.h"
#include "test.h"

using base::Error;
using poplar::Channel;
using poplar::Handle;
using poplar::Task;
using usertest::counts;
using usertest::settled_counts;
namespace abi = poplar::abi;
namespace fp = fast_path;
namespace rights = poplar::abi::rights;
namespace signals = poplar::abi::signals;
namespace sys = poplar::sys;

namespace {

constexpr u64 millisecond = 1'000'000;

template <typename T>
base::ReadonlyBytes bytes_of(const T& value) {
    return base::ReadonlyBytes(reinterpret_cast<const u8*>(&value), sizeof(value));
}

struct Receiver {
    Task task;
    Channel channel;  // ours; the child receives on its peer
};

// Starts a fast_path_receiver with `order` (and `memory`, for the counting roles), once it is ready.
base::ErrorOr<Receiver> start_receiver(fp::Order order, poplar::MemoryObject* memory = nullptr) {
    auto pair = TRY(Channel::create());
    Handle for_child[2] = {base::move(pair.second)};
    usize count = 1;
    if (memory)
        for_child[count++] = TRY(memory->duplicate(rights::map | rights::write | rights::read | rights::transfer));
    Receiver receiver{TRY(Task::spawn("fast_path_receiver", base::Span<Handle>(for_child, count))),
                      base::move(pair.first)};
    TRY(receiver.channel.send(bytes_of(order)));
    u8 ready;
    TRY(receiver.channel.receive(base::Bytes(&ready, 1), {}, sys::deadline_after(2000 * millisecond)));
    return receiver;
}

struct BadBufferRun {
    fp::Attempt attempt;
    u64 sent_at;
    u8 payload[fp::payload_bytes];
};

// The child waits in a receive into a bad buffer of `kind`; a 32-byte message comes meanwhile.
base::ErrorOr<BadBufferRun> send_to_a_bad_buffer(fp::Buffer kind) {
    auto receiver = TRY(start_receiver({fp::Role::bad_buffer, kind}));
    (void)sys::sleep(sys::deadline_after(20 * millisecond));  // it blocks in its receive meanwhile
    BadBufferRun run{};
    for (u64 i = 0; i < fp::payload_bytes; ++i) run.payload[i] = u8(0xa0 + i);
    run.sent_at = sys::clock_read();
    TRY(receiver.channel.send(base::ReadonlyBytes(run.payload)));
    auto sizes = TRY(receiver.channel.receive(base::Bytes(reinterpret_cast<u8*>(&run.attempt), sizeof(run.attempt)), {},
                                              sys::deadline_after(2000 * millisecond)));
    if (sizes.bytes != sizeof(run.attempt)) return Error::MalformedMessage;
    receiver.channel.reset();
    if (TRY(receiver.task.wait(sys::deadline_after(2000 * millisecond))) != 0) return Error::BadState;
    return run;
}

// The message was not lost: the failed receive left it queued for the next one.
void expect_the_message_stayed_queued(const BadBufferRun& run) {
    EXPECT(run.attempt.entered_at < run.sent_at);  // the child was waiting when the message came
    EXPECT_EQ(run.attempt.later_error, 0u);
    EXPECT_EQ(run.attempt.later_bytes, fp::payload_bytes);
    EXPECT(__builtin_memcmp(run.attempt.later_payload, run.payload, fp::payload_bytes) == 0);
}

// Sends `count` sequenced messages from `first`, waiting for room when the queue is full.
// Paced, it first lets the receiver run (and block again), then works for up to 150 us before each
// send. Returns the next sequence number.
u64 send_sequenced(const Channel& channel, u64 first, u64 count, bool paced = false) {
    u64 sequence = first;
    for (; sequence < first + count; ++sequence) {
        if (paced) {
            (void)sys::sleep(sys::deadline_after(20'000));
            u64 until = sys::clock_read() + sequence * 0x9e3779b97f4a7c15ull % 150'000;
            while (sys::clock_read() < until) asm volatile("pause");
        }
        fp::Sequenced message{sequence, ~sequence};
        auto sent = channel.send(bytes_of(message));
        while (sent.is_error() && sent.error() == Error::ShouldWait) {
            (void)channel.wait(signals::writable, sys::deadline_after(2000 * millisecond));
            sent = channel.send(bytes_of(message));
        }
        if (sent.is_error()) {
            EXPECT_OK(sent);
            break;
        }
    }
    return sequence;
}

}  // namespace

USER_TEST(a_direct_delivery_into_an_unmapped_buffer_falls_back_and_the_message_stays_queued) {
    auto before = counts();
    auto run = ASSERT_OK(send_to_a_bad_buffer(fp::Buffer::unmapped));
    EXPECT_EQ(run.attempt.waited_error, u32(Error::BadAddress));
    expect_the_message_stayed_queued(run);
    EXPECT_COUNTS_EQ(settled_counts(before), before);
}

USER_TEST(a_direct_delivery_into_a_read_only_buffer_falls_back_and_leaves_it_untouched) {
    auto before = counts();
    auto run = ASSERT_OK(send_to_a_bad_buffer(fp::Buffer::read_only));
    EXPECT_EQ(run.attempt.waited_error, u32(Error::BadAddress));
    EXPECT(run.attempt.buffer_intact);
    expect_the_message_stayed_queued(run);
    EXPECT_COUNTS_EQ(settled_counts(before), before);
}

USER_TEST(a_message_too_large_for_the_waiting_buffer_is_queued_and_reported_as_buffer_too_small) {
    auto before = counts();
    auto run = ASSERT_OK(send_to_a_bad_buffer(fp::Buffer::too_small));
    EXPECT_EQ(run.attempt.waited_error, u32(Error::BufferTooSmall));
    EXPECT_EQ(run.attempt.needed_bytes, fp::payload_bytes);
    expect_the_message_stayed_queued(run);
    EXPECT_COUNTS_EQ(settled_counts(before), before);
}

// A direct delivery may meet a receiver whose deadline has just passed (woken, not yet running):
// the message is then its, and the receive succeeds. The sender lets the receiver block, then works
// for up to 150 us before each send, while the receiver waits at most 100 us; at weight 1 the
// receiver, woken by its deadline, does not preempt the sender, which then delivers to it while its
// offer still stands. Every message arrives once, in order. (Dropping a message delivered to a
// receiver that also timed out lost a third of them.)
USER_TEST(receive_deadlines_racing_direct_deliveries_lose_and_repeat_nothing) {
    auto before = counts();
    {
        auto memory = ASSERT_OK(poplar::MemoryObject::create(abi::page_size));
        auto mapping = ASSERT_OK(memory.map());
        const auto* tally = reinterpret_cast<const volatile fp::Tally*>(mapping.data());
        auto receiver = ASSERT_OK(start_receiver({fp::Role::count_with_deadlines, {}}, &memory));
        EXPECT_OK(receiver.task.set_weight(1));
        constexpr u64 messages = 3000;
        u64 next = send_sequenced(receiver.channel, 1, messages, true);
        receiver.channel.reset();
        EXPECT_EQ(ASSERT_OK(receiver.task.wait(sys::deadline_after(5000 * millisecond))), 0);
        poplar::println("fast_path_test: {} sent, {} received ({} after their deadline), {} receives timed out",
                        next - 1, tally->received, tally->late, tally->timed_out);
        EXPECT_EQ(next - 1, messages);
        EXPECT_EQ(tally->received, messages);
        EXPECT_EQ(tally->last, messages);
        EXPECT_EQ(tally->out_of_order, 0u);
        EXPECT(tally->late > 0);  // deliveries did race the deadlines
    }
    EXPECT_COUNTS_EQ(settled_counts(before), before);
}

// The child is killed while it waits between hand-offs: up to then it got every message once and
// in order, the sender sees PeerClosed promptly (and no other error), and nothing is left.
USER_TEST(a_receiver_killed_between_direct_hand_offs_got_each_message_once_and_its_sender_sees_peer_closed) {
    auto before = counts();
    for (u64 round = 0; round < 3; ++round) {
        auto memory = ASSERT_OK(poplar::MemoryObject::create(abi::page_size));
        auto mapping = ASSERT_OK(memory.map());
        const auto* tally = reinterpret_cast<const volatile fp::Tally*>(mapping.data());
        auto receiver = ASSERT_OK(start_receiver({fp::Role::count, {}}, &memory));
        u64 next = send_sequenced(receiver.channel, 1, 100 + 150 * round);
        u64 sent_before_kill = next - 1;
        EXPECT_OK(receiver.task.kill());
        // Messages go on until its end closes.
        u64 killed_at = sys::clock_read();
        base::ErrorOr<void> sent;
        for (;;) {
            fp::Sequenced message{next, ~next};
            sent = receiver.channel.send(bytes_of(message));
            if (sent.is_ok()) {
                ++next;
                continue;
            }
            if (sent.error() != Error::ShouldWait || sys::clock_read() - killed_at > 1000 * millisecond) break;
            (void)receiver.channel.wait(signals::writable | signals::peer_closed,
                                        sys::deadline_after(1000 * millisecond));
        }
        EXPECT_ERROR(sent, Error::PeerClosed);
        EXPECT(sys::clock_read() - killed_at < 1000 * millisecond);
        EXPECT_EQ(ASSERT_OK(receiver.task.wait(sys::deadline_after(2000 * millisecond))), -1);
        EXPECT_EQ(tally->out_of_order, 0u);
        EXPECT_EQ(tally->received, tally->last);
        EXPECT(tally->last >= 1);
        EXPECT(tally->last <= next - 1);
        poplar::println("fast_path_test: round {}: {} sent before the kill, {} after, {} received", round,
                        sent_before_kill, next - 1 - sent_before_kill, tally->received);
    }
    EXPECT_COUNTS_EQ(settled_counts(before), before);
}

int main(const abi::StartInfo&) { return usertest::run_all_tests("fast_path_test"); }
