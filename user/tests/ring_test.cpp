// Asynchronous system-call rings (docs/async-syscalls.md): batching and order, each operation's
// success and failure, cancellation, a full completion queue, corrupt rings, bad arguments, and a
// ring's operations cancelled and reclaimed when it is closed or its task is killed. Needs the
// boot module ring_exiter.

#include <poplar/channel.h>
#include <poplar/event.h>
#include <poplar/start.h>
#include <poplar/task.h>

#include "object_counts.h"
#include "ring.h"
#include "test.h"
#include "xorshift.h"

namespace abi = poplar::abi;
namespace sys = poplar::sys;
using base::Error;
using usertest::cancel_of;
using usertest::entry_of;
using usertest::nop;
using usertest::TestRing;

namespace {

constexpr u64 millisecond = 1'000'000;

u32 status(Error error) { return static_cast<u32>(error); }

abi::RingSubmission wait_for(const poplar::Handle& object, u32 signals, u64 deadline, u64 tag) {
    auto entry = entry_of(abi::ring_op::wait_signals, tag);
    entry.handle = object.value();
    entry.signals = signals;
    entry.deadline = deadline;
    return entry;
}

abi::RingSubmission send_of(const poplar::Handle& channel, const void* bytes, u64 length, u64 tag) {
    auto entry = entry_of(abi::ring_op::channel_send, tag);
    entry.handle = channel.value();
    entry.address = reinterpret_cast<u64>(bytes);
    entry.length = length;
    return entry;
}

// The one completion a single submission gives at once.
abi::RingCompletion complete_one(TestRing& ring, const abi::RingSubmission& entry) {
    ring.push(entry);
    auto taken = ring.enter(1, 1, sys::deadline_after(1000 * millisecond));
    abi::RingCompletion completion{~u64(0), 0, ~u32(0), 0, 0};
    if (taken.is_error() || taken.value() != 1 || !ring.pop(completion)) return completion;
    return completion;
}

USER_TEST(create_rejects_bad_sizes_and_pointers) {
    auto before = usertest::counts();
    abi::RingHandles handles{};
    const u64 bad_sizes[] = {0, 3, u64(abi::ring_max_entries) * 2, u64(1) << 32, ~u64(0)};
    for (u64 entries : bad_sizes) EXPECT_ERROR(sys::ring_create(entries, &handles), Error::InvalidArgument);
    EXPECT_ERROR(sys::ring_create(4, nullptr), Error::BadAddress);
    EXPECT_ERROR(sys::ring_create(4, reinterpret_cast<abi::RingHandles*>(0xffff800000000000)), Error::BadAddress);
    auto now = usertest::counts();
    EXPECT_COUNTS_EQ(now, before);
}

USER_TEST(create_sets_sizes_and_zero_cursors) {
    auto ring = ASSERT_OK(TestRing::create(8));
    EXPECT_EQ(ring.header().sq_entries, 8u);
    EXPECT_EQ(ring.header().cq_entries, 16u);
    EXPECT_EQ(ring.header().sq_head + ring.header().sq_tail + ring.header().cq_head + ring.header().cq_tail, 0u);
}

USER_TEST(nops_complete_in_order_with_their_tags) {
    auto ring = ASSERT_OK(TestRing::create(16));
    for (u64 round = 0; round < 3; ++round) {  // the cursors go round the queues
        for (u64 i = 0; i < 16; ++i) ring.push(nop(round * 100 + i));
        EXPECT_EQ(ring.enter(16, 16).value_or(0), 16u);
        EXPECT_EQ(ring.header().sq_head, (round + 1) * 16);
        for (u64 i = 0; i < 16; ++i) {
            abi::RingCompletion completion{};
            ASSERT_TRUE(ring.pop(completion));
            EXPECT_EQ(completion.tag, round * 100 + i);
            EXPECT_EQ(completion.status, 0u);
        }
        abi::RingCompletion extra{};
        EXPECT(!ring.pop(extra));
    }
}

USER_TEST(runs_of_nops_cross_pages_and_wrap_with_bad_entries_among_them) {
    // Submissions and completions span several pages; batches of 100 go round both queues, so
    // runs stop at page boundaries, at the queues' ends and at bad entries.
    auto ring = ASSERT_OK(TestRing::create(256));
    auto bad = [](u64 tag) { return tag % 37 == 5 || tag % 61 == 60; };
    for (u64 round = 0; round < 12; ++round) {
        for (u64 i = 0; i < 100; ++i) {
            u64 tag = round * 100 + i;
            auto entry = nop(tag);
            if (tag % 37 == 5) entry.transaction = tag;
            if (tag % 61 == 60) entry.flags = 1;
            ring.push(entry);
        }
        EXPECT_EQ(ring.enter(100, 100).value_or(0), 100u);
        for (u64 i = 0; i < 100; ++i) {
            u64 tag = round * 100 + i;
            abi::RingCompletion completion{};
            ASSERT_TRUE(ring.pop(completion));
            EXPECT_EQ(completion.tag, tag);
            EXPECT_EQ(completion.status, bad(tag) ? status(Error::InvalidArgument) : 0u);
            EXPECT_EQ(completion.value, 0u);
        }
    }
}

USER_TEST(enter_takes_at_most_to_submit) {
    auto ring = ASSERT_OK(TestRing::create(8));
    for (u64 i = 0; i < 5; ++i) ring.push(nop(i));
    EXPECT_EQ(ring.enter(2).value_or(99), 2u);
    EXPECT_EQ(ring.enter(0).value_or(99), 0u);
    EXPECT_EQ(ring.enter(8).value_or(99), 3u);  // only what was offered
    EXPECT_EQ(ring.enter(8).value_or(99), 0u);
    u64 tag = 0;
    for (abi::RingCompletion completion{}; ring.pop(completion); ++tag) EXPECT_EQ(completion.tag, tag);
    EXPECT_EQ(tag, 5u);
}

USER_TEST(enter_rejects_bad_arguments) {
    auto ring = ASSERT_OK(TestRing::create(4));
    auto event = ASSERT_OK(poplar::Event::create());
    EXPECT_ERROR(sys::ring_enter(0, 0, 0, 0), Error::BadHandle);
    EXPECT_ERROR(sys::ring_enter(event.value(), 0, 0, 0), Error::WrongType);
    EXPECT_ERROR(sys::ring_enter(ring.memory.value(), 0, 0, 0), Error::WrongType);
    EXPECT_ERROR(ring.enter(5), Error::InvalidArgument);
    EXPECT_ERROR(ring.enter(~u64(0)), Error::InvalidArgument);
    EXPECT_ERROR(ring.enter(0, 9), Error::InvalidArgument);
    EXPECT_ERROR(ring.enter(0, 1, abi::deadline_now), Error::ShouldWait);
    EXPECT_ERROR(ring.enter(0, 1, sys::deadline_after(2 * millisecond)), Error::TimedOut);
    EXPECT_ERROR(ring.enter(0, 1, 1), Error::TimedOut);  // long past
    // Submitted, then the wait fails: rdx says how many were taken.
    ring.push(entry_of(abi::ring_op::timeout, 1));
    ring.submissions()[0].deadline = sys::deadline_after(1000 * millisecond);
    u64 detail = 0;
    EXPECT_ERROR(ring.enter(1, 1, abi::deadline_now, &detail), Error::ShouldWait);
    EXPECT_EQ(detail, 1u);
}

USER_TEST(channel_send_delivers_and_reports_failures) {
    auto ring = ASSERT_OK(TestRing::create(8));
    auto pair = ASSERT_OK(poplar::Channel::create());
    const char text[] = "hello ring";
    auto sent = complete_one(ring, send_of(pair.first, text, sizeof(text), 7));
    EXPECT_EQ(sent.tag, 7u);
    EXPECT_EQ(sent.status, 0u);
    char received[32] = {};
    auto sizes = ASSERT_OK(pair.second.receive(base::Bytes(reinterpret_cast<u8*>(received), sizeof(received))));
    EXPECT_EQ(sizes.bytes, sizeof(text));
    EXPECT_EQ(base::StringView(received), base::StringView(text));

    auto event = ASSERT_OK(poplar::Event::create());
    EXPECT_EQ(complete_one(ring, send_of(event, text, 1, 1)).status, status(Error::WrongType));
    EXPECT_EQ(complete_one(ring, send_of(poplar::Handle(), text, 1, 1)).status, status(Error::BadHandle));
    abi::RingSubmission bad_pointer = send_of(pair.first, nullptr, 1, 1);
    bad_pointer.address = 0xffff800000001000;
    EXPECT_EQ(complete_one(ring, bad_pointer).status, status(Error::BadAddress));
    EXPECT_EQ(complete_one(ring, send_of(pair.first, text, abi::max_message_bytes + 1, 1)).status,
              status(Error::InvalidArgument));
    pair.second.reset();
    EXPECT_EQ(complete_one(ring, send_of(pair.first, text, 1, 1)).status, status(Error::PeerClosed));
}

USER_TEST(wait_signals_completes_at_once_later_or_at_its_deadline) {
    auto ring = ASSERT_OK(TestRing::create(8));
    auto event = ASSERT_OK(poplar::Event::create());
    // Not raised, deadline 0: ShouldWait with the signals seen.
    auto now = complete_one(ring, wait_for(event, abi::signals::signaled, abi::deadline_now, 1));
    EXPECT_EQ(now.status, status(Error::ShouldWait));
    // Raised later: the job completes it.
    ring.push(wait_for(event, abi::signals::signaled, abi::deadline_infinite, 2));
    EXPECT_EQ(ring.enter(1).value_or(0), 1u);
    abi::RingCompletion completion{};
    EXPECT(!ring.pop(completion));
    EXPECT_OK(event.signal());
    EXPECT_EQ(ring.enter(0, 1, sys::deadline_after(1000 * millisecond)).value_or(99), 0u);
    ASSERT_TRUE(ring.pop(completion));
    EXPECT_EQ(completion.tag, 2u);
    EXPECT_EQ(completion.status, 0u);
    EXPECT((completion.value & abi::signals::signaled) != 0);
    // Raised already: at once.
    auto raised = complete_one(ring, wait_for(event, abi::signals::signaled, abi::deadline_infinite, 3));
    EXPECT_EQ(raised.status, 0u);
    EXPECT_OK(sys::event_clear(event.value()));
    // A deadline: TimedOut.
    ring.push(wait_for(event, abi::signals::signaled, sys::deadline_after(3 * millisecond), 4));
    EXPECT_EQ(ring.enter(1, 1, sys::deadline_after(1000 * millisecond)).value_or(0), 1u);
    ASSERT_TRUE(ring.pop(completion));
    EXPECT_EQ(completion.tag, 4u);
    EXPECT_EQ(completion.status, status(Error::TimedOut));
    // Bad requests.
    EXPECT_EQ(complete_one(ring, wait_for(event, 0, 0, 5)).status, status(Error::InvalidArgument));
    EXPECT_EQ(complete_one(ring, wait_for(poplar::Handle(), 1, 0, 5)).status, status(Error::BadHandle));
    auto no_wait = poplar::Handle(ASSERT_OK(sys::handle_duplicate(event.value(), abi::rights::read)));
    EXPECT_EQ(complete_one(ring, wait_for(no_wait, 1, 0, 5)).status, status(Error::AccessDenied));
}

USER_TEST(timeout_completes_once_its_deadline_has_passed) {
    auto ring = ASSERT_OK(TestRing::create(4));
    auto past = entry_of(abi::ring_op::timeout, 1);
    past.deadline = 1;
    EXPECT_EQ(complete_one(ring, past).status, 0u);
    u64 start = sys::clock_read();
    auto later = entry_of(abi::ring_op::timeout, 2);
    later.deadline = start + 5 * millisecond;
    ring.push(later);
    EXPECT_EQ(ring.enter(1, 1, sys::deadline_after(1000 * millisecond)).value_or(0), 1u);
    EXPECT(sys::clock_read() >= start + 5 * millisecond);
    abi::RingCompletion completion{};
    ASSERT_TRUE(ring.pop(completion));
    EXPECT_EQ(completion.tag, 2u);
    EXPECT_EQ(completion.status, 0u);
}

USER_TEST(cancel_ends_an_operation_in_flight_and_not_a_finished_one) {
    auto ring = ASSERT_OK(TestRing::create(8));
    auto event = ASSERT_OK(poplar::Event::create());
    ring.push(wait_for(event, abi::signals::signaled, abi::deadline_infinite, 10));
    ring.push(cancel_of(10, 11));
    EXPECT_EQ(ring.enter(2, 2, sys::deadline_after(1000 * millisecond)).value_or(0), 2u);
    // The cancel's completion first, then the target's Cancelled.
    abi::RingCompletion first{}, second{};
    ASSERT_TRUE(ring.pop(first));
    ASSERT_TRUE(ring.pop(second));
    EXPECT_EQ(first.tag, 11u);
    EXPECT_EQ(first.status, 0u);
    EXPECT_EQ(second.tag, 10u);
    EXPECT_EQ(second.status, status(Error::Cancelled));
    // Finished (a nop), cancelled again, or never there: NotFound.
    EXPECT_EQ(complete_one(ring, nop(12)).status, 0u);
    EXPECT_EQ(complete_one(ring, cancel_of(12, 13)).status, status(Error::NotFound));
    EXPECT_EQ(complete_one(ring, cancel_of(10, 14)).status, status(Error::NotFound));
    EXPECT_EQ(complete_one(ring, cancel_of(999, 15)).status, status(Error::NotFound));
    // A timeout cancelled before its deadline.
    auto timeout = entry_of(abi::ring_op::timeout, 20);
    timeout.deadline = abi::deadline_infinite;
    ring.push(timeout);
    EXPECT_EQ(ring.enter(1).value_or(0), 1u);
    EXPECT_EQ(complete_one(ring, cancel_of(20, 21)).status, 0u);
    EXPECT_EQ(ring.enter(0, 1, sys::deadline_after(1000 * millisecond)).value_or(99), 0u);
    abi::RingCompletion cancelled{};
    ASSERT_TRUE(ring.pop(cancelled));
    EXPECT_EQ(cancelled.tag, 20u);
    EXPECT_EQ(cancelled.status, status(Error::Cancelled));
}

USER_TEST(a_full_completion_queue_refuses_submissions) {
    auto ring = ASSERT_OK(TestRing::create(2));  // room for 4 completions
    auto event = ASSERT_OK(poplar::Event::create());
    for (u64 i = 0; i < 4; i += 2) {
        ring.push(wait_for(event, abi::signals::signaled, abi::deadline_infinite, i));
        ring.push(wait_for(event, abi::signals::signaled, abi::deadline_infinite, i + 1));
        EXPECT_EQ(ring.enter(2).value_or(0), 2u);
    }
    // Four reserved for the waits in flight: nothing more is taken, and it stays queued.
    ring.push(nop(100));
    EXPECT_ERROR(ring.enter(1), Error::ShouldWait);
    EXPECT_EQ(ring.header().sq_head, 4u);
    EXPECT_OK(event.signal());
    EXPECT_EQ(ring.enter(0, 4, sys::deadline_after(1000 * millisecond)).value_or(99), 0u);
    // Four completions unread: still full.
    EXPECT_ERROR(ring.enter(1), Error::ShouldWait);
    abi::RingCompletion completion{};
    ASSERT_TRUE(ring.pop(completion));
    EXPECT_EQ(ring.enter(1).value_or(0), 1u);  // one read, one taken
    u64 seen = 0;
    while (ring.pop(completion)) ++seen;
    EXPECT_EQ(seen, 4u);
    EXPECT_EQ(completion.tag, 100u);
}

USER_TEST(corrupt_cursors_give_errors) {
    auto ring = ASSERT_OK(TestRing::create(4));
    ring.push(nop(1));
    EXPECT_EQ(ring.enter(1, 1).value_or(0), 1u);
    // sq_tail more than a queue ahead, or behind the kernel's head.
    ring.header().sq_tail = 1 + 5;
    EXPECT_ERROR(ring.enter(1), Error::BadState);
    ring.header().sq_tail = 0;
    EXPECT_ERROR(ring.enter(1), Error::BadState);
    ring.header().sq_tail = 0x80000000;
    EXPECT_ERROR(ring.enter(4), Error::BadState);
    ring.header().sq_tail = 1;
    EXPECT_EQ(ring.enter(1).value_or(99), 0u);
    // cq_head past the tail, or back before what it said.
    ring.header().cq_head = 2;
    EXPECT_ERROR(ring.enter(0), Error::BadState);
    ring.header().cq_head = 1;
    EXPECT_EQ(ring.enter(0).value_or(99), 0u);
    ring.header().cq_head = 0;
    EXPECT_ERROR(ring.enter(0), Error::BadState);
    ring.header().cq_head = 1;
    // The kernel's own words, overwritten, change nothing it relies on.
    ring.header().sq_head = 1234;
    ring.header().cq_tail = 99;
    ring.header().sq_entries = 0x40000000;
    ring.header().cq_entries = 0;
    ring.push(nop(2));
    ring.header().sq_tail = 2;
    EXPECT_EQ(ring.enter(1, 1).value_or(0), 1u);
    EXPECT_EQ(ring.header().sq_head, 2u);
    EXPECT_EQ(ring.header().cq_tail, 2u);
    EXPECT_EQ(ring.completions()[1].tag, 2u);
}

USER_TEST(bad_entries_complete_with_errors) {
    auto ring = ASSERT_OK(TestRing::create(8));
    EXPECT_EQ(complete_one(ring, entry_of(abi::ring_op::count, 1)).status, status(Error::NotSupported));
    EXPECT_EQ(complete_one(ring, entry_of(0xffffffff, 1)).status, status(Error::NotSupported));
    auto flagged = nop(2);
    flagged.flags = 1;
    EXPECT_EQ(complete_one(ring, flagged).status, status(Error::InvalidArgument));
    auto reserved = nop(3);
    reserved.transaction = 1;
    EXPECT_EQ(complete_one(ring, reserved).status, status(Error::InvalidArgument));
    auto stray = nop(4);
    stray.handle = 5;
    EXPECT_EQ(complete_one(ring, stray).status, status(Error::InvalidArgument));
    auto stray_deadline = cancel_of(1, 5);
    stray_deadline.deadline = 1;
    EXPECT_EQ(complete_one(ring, stray_deadline).status, status(Error::InvalidArgument));
    // An entry changed after it was taken is not read again.
    u32 slot = ring.header().sq_tail & 7;
    EXPECT_EQ(complete_one(ring, nop(6)).status, 0u);
    ring.submissions()[slot] = entry_of(0xdead, 7);
    EXPECT_EQ(ring.enter(1).value_or(99), 0u);
    abi::RingCompletion completion{};
    EXPECT(!ring.pop(completion));
}

USER_TEST(random_garbage_in_the_ring_gives_only_errors) {
    auto before = usertest::counts();
    {
        auto ring = ASSERT_OK(TestRing::create(8));
        u64 state = 0x7269'6e67;
        auto next = [&] { return usertest::xorshift(state); };
        auto* words = reinterpret_cast<u64*>(ring.mapping.data());
        u64 word_count = abi::ring_memory_size(8) / sizeof(u64);
        for (u64 round = 0; round < 200; ++round) {
            for (u64 i = 0; i < 16; ++i) words[next() % word_count] = next();
            // Keep some opcodes plausible, so that operations start too; deadlines stay near.
            for (u32 i = 0; i < 8; ++i) {
                auto& entry = ring.submissions()[i];
                if (next() % 2) entry.opcode = u32(next() % abi::ring_op::count);
                if (next() % 2) entry.deadline = sys::deadline_after(next() % (2 * millisecond));
            }
            auto entered = ring.enter(next() % 9, next() % 3, sys::deadline_after(millisecond));
            if (entered.is_error())
                EXPECT(entered.error() == Error::BadState || entered.error() == Error::ShouldWait ||
                       entered.error() == Error::TimedOut);
        }
    }
    auto now = usertest::settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

USER_TEST(a_ring_is_not_a_waitable_object_nor_movable) {
    auto ring = ASSERT_OK(TestRing::create(4));
    EXPECT_EQ(complete_one(ring, wait_for(ring.ring, abi::signals::readable, 0, 1)).status,
              status(Error::AccessDenied));
    EXPECT_ERROR(sys::wait_one(ring.ring.value(), abi::signals::readable, 0), Error::AccessDenied);
    EXPECT_ERROR(sys::handle_duplicate(ring.ring.value(), abi::rights::read), Error::AccessDenied);
    EXPECT_ERROR(sys::handle_duplicate(ring.memory.value(), abi::rights::read), Error::AccessDenied);
    auto info = ASSERT_OK(sys::handle_info(ring.ring.value()));
    EXPECT_EQ(info.object_type, poplar::ObjectType::Ring);
}

USER_TEST(an_unmapped_ring_still_works_and_is_reclaimed) {
    auto before = usertest::counts();
    {
        auto ring = ASSERT_OK(TestRing::create(4));
        ring.push(nop(1));
        EXPECT_OK(ring.mapping.unmap());
        ring.memory.reset();
        // The kernel never goes through user addresses: the entry is still read and completed.
        EXPECT_EQ(ring.enter(1, 1).value_or(0), 1u);
    }
    auto now = usertest::settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

USER_TEST(closing_a_ring_cancels_and_reclaims_what_is_in_flight) {
    auto before = usertest::counts();
    {
        auto ring = ASSERT_OK(TestRing::create(8));
        auto event = ASSERT_OK(poplar::Event::create());
        ring.push(wait_for(event, abi::signals::signaled, abi::deadline_infinite, 1));
        auto timeout = entry_of(abi::ring_op::timeout, 2);
        timeout.deadline = abi::deadline_infinite;
        ring.push(timeout);
        EXPECT_EQ(ring.enter(2).value_or(0), 2u);
    }
    auto now = usertest::settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

USER_TEST(a_killed_task_has_its_ring_operations_cancelled_and_reclaimed) {
    auto before = usertest::counts();
    for (u64 round = 0; round < 3; ++round) {
        auto pair = ASSERT_OK(poplar::Channel::create());
        poplar::Handle handles[1] = {base::move(pair.second)};
        auto task = ASSERT_OK(poplar::Task::spawn("ring_exiter", base::Span<poplar::Handle>(handles)));
        // It says when its operations are in flight, then blocks in ring_enter.
        u8 ready = 0;
        EXPECT_OK(pair.first.receive(base::Bytes(&ready, 1), {}, sys::deadline_after(5000 * millisecond)));
        EXPECT_EQ(ready, 1u);
        if (round == 0) EXPECT_OK(task.kill());
        if (round == 1) {
            u8 go = 1;  // it returns from main with the operations in flight
            EXPECT_OK(pair.first.send(base::ReadonlyBytes(&go, 1)));
        }
        // round 2: its only channel closes and its ring_enter ends with the wait it made on it.
        pair.first.reset();
        EXPECT_OK(task.wait(sys::deadline_after(5000 * millisecond)));
    }
    auto now = usertest::settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

}  // namespace

int main(const abi::StartInfo&) { return usertest::run_all_tests("ring_test"); }
