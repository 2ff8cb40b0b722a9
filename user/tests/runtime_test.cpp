// The user-space coroutine runtime (lib/poplar/async, docs/user-runtime.md) on a real ring:
// ordering, spawn and join, when_any cancelling and awaiting its loser, deadlines, cancellation
// before, during and after an operation's completion, more operations than the rings hold, a
// loop that blocks rather than spins, an executor or a task that goes with operations in flight.
// Needs the boot module runtime_exiter.

#include <poplar/async/executor.h>
#include <poplar/async/operations.h>
#include <poplar/async/service.h>
#include <poplar/async/when_any.h>
#include <poplar/channel.h>
#include <poplar/event.h>
#include <poplar/heap.h>
#include <poplar/protocols/echo.h>
#include <poplar/start.h>
#include <poplar/task.h>

#include "object_counts.h"
#include "test.h"

namespace abi = poplar::abi;
namespace async = poplar::async;
namespace sys = poplar::sys;
using async::Task;
using poplar::protocols::EchoProtocol;
namespace echo = poplar::protocols::echo;
using base::Error;
using base::ErrorOr;

namespace {

constexpr u64 millisecond = 1'000'000;
constexpr u64 second = 1000 * millisecond;

// What jobs did, in the order they did it.
struct Log {
    u64 entries[256] = {};
    usize count = 0;  // kept in entries
    usize total = 0;  // added
    void add(u64 value) {
        ++total;
        if (count < 256) entries[count++] = value;
    }
};

Task<ErrorOr<u64>> sleep_then_log(u64 nanoseconds, u64 value, Log& log) {
    CO_TRY(co_await async::sleep_for(nanoseconds));
    log.add(value);
    co_return value;
}

Task<ErrorOr<u64>> wait_then_log(const poplar::Event& event, u64 value, Log& log) {
    CO_TRY(co_await async::wait(event, abi::signals::signaled));
    log.add(value);
    co_return value;
}

Task<ErrorOr<u64>> send_then_log(const poplar::Channel& channel, u8 byte, Log& log) {
    CO_TRY(co_await async::send(channel, base::ReadonlyBytes(&byte, 1)));
    log.add(byte);
    co_return u64(byte);
}

Task<ErrorOr<u64>> wait_forever(const poplar::Event& event) {
    CO_TRY(co_await async::wait(event, abi::signals::signaled));
    co_return u64(1);
}

Task<ErrorOr<void>> sleep_task(u64 nanoseconds) { co_return co_await async::sleep_for(nanoseconds); }

// The heap and the kernel's objects, to show that nothing stays behind.
struct Footprint {
    usize heap_bytes = poplar::heap_statistics().used_bytes;
    abi::ObjectCounts objects = usertest::counts();
};
#define EXPECT_NOTHING_LEFT(before)                                           \
    do {                                                                      \
        EXPECT_EQ(poplar::heap_statistics().used_bytes, (before).heap_bytes); \
        auto now_ = usertest::settled_counts((before).objects);               \
        EXPECT_COUNTS_EQ(now_, (before).objects);                             \
    } while (0)

Task<ErrorOr<u64>> sleep_until_then_log(u64 deadline, u64 value, Log& log) {
    CO_TRY(co_await async::sleep_until(deadline));
    EXPECT(sys::clock_read() >= deadline);
    log.add(value);
    co_return value;
}

USER_TEST(sleepers_wake_in_deadline_order_whatever_their_spawn_order) {
    auto executor = ASSERT_OK(async::Executor::create(8));
    Log log;
    // Deadlines well ahead, so that all are armed in the kernel (one already past when the kernel
    // takes it completes at once, in submission order).
    u64 start = sys::clock_read() + 100 * millisecond;
    for (u64 i = 0; i < 5; ++i)
        EXPECT_OK(executor.spawn(sleep_until_then_log(start + (5 - i) * 4 * millisecond, 5 - i, log)));
    EXPECT_OK(executor.run());
    EXPECT_EQ(log.count, 5u);
    for (u64 i = 0; i < log.count; ++i) EXPECT_EQ(log.entries[i], i + 1);
}

USER_TEST(operations_that_complete_at_once_resume_their_jobs_in_submission_order) {
    auto executor = ASSERT_OK(async::Executor::create(16));
    auto pair = ASSERT_OK(poplar::Channel::create());
    Log log;
    for (u8 i = 0; i < 10; ++i) EXPECT_OK(executor.spawn(send_then_log(pair.first, i, log)));
    EXPECT_OK(executor.run());
    EXPECT_EQ(log.count, 10u);
    for (u64 i = 0; i < 10; ++i) {
        EXPECT_EQ(log.entries[i], i);
        u8 byte = 0xff;
        EXPECT_OK(pair.second.receive(base::Bytes(&byte, 1), {}, abi::deadline_now));
        EXPECT_EQ(byte, i);
    }
    // One round: ten sends in one ring_enter.
    EXPECT_EQ(executor.statistics().enters, 1u);
}

Task<ErrorOr<u64>> add_later(u64 a, u64 b) {
    CO_TRY(co_await async::sleep_for(millisecond));
    co_return a + b;
}

Task<ErrorOr<u64>> spawn_and_join() {
    auto running = CO_TRY(async::spawn(add_later(40, 2)));
    auto finished = CO_TRY(async::spawn(add_later(1, 1)));
    u64 sum = CO_TRY(co_await running.join());
    CO_TRY(co_await async::sleep_for(5 * millisecond));
    EXPECT(finished.is_complete());
    u64 late = CO_TRY(co_await finished.join());  // joined after it finished
    co_return sum + late;
}

USER_TEST(spawned_jobs_are_joined_before_and_after_they_finish) {
    Footprint before;
    {
        auto executor = ASSERT_OK(async::Executor::create(8));
        EXPECT_EQ(executor.block_on(spawn_and_join()).value_or(0), 44u);
        EXPECT_EQ(executor.statistics().live_jobs, 0u);
    }
    EXPECT_NOTHING_LEFT(before);
}

Task<ErrorOr<u64>> race_sleep_against_a_wait(const poplar::Event& event) {
    auto both = CO_TRY(co_await async::when_any(add_later(2, 3), wait_forever(event)));
    EXPECT_EQ(both.winner, 0u);
    EXPECT_EQ(both.first.value_or(0), 5u);
    EXPECT_ERROR(both.second, Error::Cancelled);  // its wait completed Cancelled before when_any returned
    // Nothing of the loser is in the kernel any more.
    EXPECT_EQ(async::current_loop().statistics().in_flight, 0u);
    co_return both.first;
}

USER_TEST(when_any_cancels_the_loser_and_awaits_its_completion) {
    Footprint before;
    {
        auto executor = ASSERT_OK(async::Executor::create(8));
        auto event = ASSERT_OK(poplar::Event::create());
        EXPECT_EQ(executor.block_on(race_sleep_against_a_wait(event)).value_or(0), 5u);
        auto statistics = executor.statistics();
        EXPECT_EQ(statistics.cancels_written, 1u);
        EXPECT_EQ(statistics.live_jobs, 0u);
        EXPECT_EQ(statistics.stray_completions, 0u);
    }
    EXPECT_NOTHING_LEFT(before);
}

Task<ErrorOr<u64>> race_two_that_finish_together(const poplar::Event& event, Log& log) {
    EXPECT_OK(event.signal());
    auto both = CO_TRY(co_await async::when_any(wait_then_log(event, 1, log), wait_then_log(event, 2, log)));
    // Both waits completed in the same round: the loser's result is kept, not turned into Cancelled.
    EXPECT_EQ(both.winner, 0u);
    EXPECT_EQ(both.first.value_or(0), 1u);
    EXPECT_EQ(both.second.value_or(0), 2u);
    co_return u64(both.winner);
}

USER_TEST(when_any_keeps_a_losers_result_that_came_in_the_same_round) {
    auto executor = ASSERT_OK(async::Executor::create(8));
    auto event = ASSERT_OK(poplar::Event::create());
    Log log;
    EXPECT_OK(executor.block_on(race_two_that_finish_together(event, log)));
    EXPECT_EQ(log.count, 2u);
}

Task<ErrorOr<usize>> race_five(const poplar::Event& event, Log& log, ErrorOr<u64>* results) {
    Task<ErrorOr<u64>> tasks[5] = {wait_forever(event), sleep_then_log(20 * second, 1, log),
                                   sleep_then_log(2 * millisecond, 2, log), wait_forever(event),
                                   sleep_then_log(30 * second, 4, log)};
    co_return co_await async::when_any(base::Span<Task<ErrorOr<u64>>>(tasks), base::Span<ErrorOr<u64>>(results, 5));
}

USER_TEST(when_any_of_many_gives_the_first_and_cancels_and_awaits_the_rest) {
    Footprint before;
    {
        auto executor = ASSERT_OK(async::Executor::create(8));
        auto event = ASSERT_OK(poplar::Event::create());
        Log log;
        ErrorOr<u64> results[5] = {Error::Internal, Error::Internal, Error::Internal, Error::Internal, Error::Internal};
        EXPECT_EQ(executor.block_on(race_five(event, log, results)).value_or(99), 2u);
        EXPECT_EQ(results[2].value_or(0), 2u);
        for (usize i = 0; i < 5; ++i)
            if (i != 2) EXPECT_ERROR(results[i], Error::Cancelled);
        auto statistics = executor.statistics();
        EXPECT_EQ(statistics.cancels_written, 4u);
        EXPECT_EQ(statistics.in_flight, 0u);
        EXPECT_EQ(statistics.live_jobs, 0u);
    }
    EXPECT_NOTHING_LEFT(before);
}

USER_TEST(with_deadline_times_out_a_slow_task_and_passes_a_fast_one) {
    Footprint before;
    {
        auto executor = ASSERT_OK(async::Executor::create(8));
        auto event = ASSERT_OK(poplar::Event::create());
        u64 started = sys::clock_read();
        EXPECT_ERROR(executor.block_on(async::with_deadline(sys::deadline_after(5 * millisecond), wait_forever(event))),
                     Error::TimedOut);
        EXPECT(sys::clock_read() - started >= 5 * millisecond);
        EXPECT_EQ(executor.block_on(async::with_deadline(sys::deadline_after(second), add_later(20, 22))).value_or(0),
                  42u);
        EXPECT_EQ(executor.statistics().in_flight, 0u);  // the fast one's timer was cancelled and awaited
        // Deadlines on the operations themselves.
        auto waited = executor.block_on([](const poplar::Event& e) -> Task<ErrorOr<u32>> {
            co_return co_await async::wait(e, abi::signals::signaled, sys::deadline_after(2 * millisecond));
        }(event));
        EXPECT_ERROR(waited, Error::TimedOut);
    }
    EXPECT_NOTHING_LEFT(before);
}

USER_TEST(a_job_cancelled_before_its_operation_starts_never_reaches_the_kernel) {
    auto executor = ASSERT_OK(async::Executor::create(8));
    auto event = ASSERT_OK(poplar::Event::create());
    auto job = ASSERT_OK(executor.spawn(wait_forever(event)));
    job.cancel();
    EXPECT_OK(executor.run());
    EXPECT_ERROR(job.take_result(), Error::Cancelled);
    EXPECT_EQ(executor.statistics().entries_written, 0u);
}

Task<ErrorOr<void>> cancel_later(async::JoinHandle<ErrorOr<u64>>& target, u64 nanoseconds) {
    CO_TRY(co_await async::sleep_for(nanoseconds));
    target.cancel();
    co_return {};
}

USER_TEST(a_job_cancelled_during_its_operation_resumes_once_the_kernel_completed_it) {
    Footprint before;
    {
        auto executor = ASSERT_OK(async::Executor::create(8));
        auto event = ASSERT_OK(poplar::Event::create());
        auto waiter = ASSERT_OK(executor.spawn(wait_forever(event)));
        EXPECT_OK(executor.spawn(cancel_later(waiter, 2 * millisecond)));
        EXPECT_OK(executor.run());
        EXPECT_ERROR(waiter.take_result(), Error::Cancelled);
        auto statistics = executor.statistics();
        EXPECT_EQ(statistics.cancels_written, 1u);
        EXPECT_EQ(statistics.in_flight, 0u);
        // The wait, the sleep, the cancel: three completions, each read.
        EXPECT_EQ(statistics.completions, 3u);
    }
    EXPECT_NOTHING_LEFT(before);
}

struct Waiters {
    async::JoinHandle<ErrorOr<u64>> in_kernel[2];
    async::JoinHandle<ErrorOr<u64>> queued;
};

Task<ErrorOr<u64>> cancel_all_after_a_round(Waiters& waiters) {
    CO_TRY(co_await async::sleep_until(1));  // long past: completes in the first ring_enter
    waiters.queued.cancel();                 // its wait is still waiting for room in the rings
    for (auto& waiter : waiters.in_kernel) waiter.cancel();
    co_return u64(0);
}

USER_TEST(a_job_cancelled_while_its_operation_waits_for_room_ends_without_the_kernel) {
    auto executor = ASSERT_OK(async::Executor::create(2));  // 4 completions, 3 for operations
    auto event = ASSERT_OK(poplar::Event::create());
    Waiters waiters;
    for (auto& waiter : waiters.in_kernel) waiter = ASSERT_OK(executor.spawn(wait_forever(event)));
    EXPECT_OK(executor.spawn(cancel_all_after_a_round(waiters)));
    waiters.queued = ASSERT_OK(executor.spawn(wait_forever(event)));  // the fourth: no room
    EXPECT_OK(executor.run());
    EXPECT_ERROR(waiters.queued.take_result(), Error::Cancelled);
    for (auto& waiter : waiters.in_kernel) EXPECT_ERROR(waiter.take_result(), Error::Cancelled);
    auto statistics = executor.statistics();
    // Two waits, the timeout and two cancels: the queued wait never reached the ring.
    EXPECT_EQ(statistics.entries_written, 5u);
    EXPECT_EQ(statistics.cancels_written, 2u);
    EXPECT_EQ(statistics.preemptions, 0u);
    EXPECT_EQ(statistics.in_flight, 0u);
}

Task<ErrorOr<u64>> wait_then_sleep(const poplar::Event& event, Log& log) {
    u32 seen = CO_TRY(co_await async::wait(event, abi::signals::signaled));
    log.add(seen);
    auto slept = co_await async::sleep_for(second);  // cancelled by now: at once
    EXPECT_ERROR(slept, Error::Cancelled);
    co_return u64(seen);
}

Task<ErrorOr<u64>> cancel_now(async::JoinHandle<ErrorOr<u64>>& target, const poplar::Event& event) {
    CO_TRY(co_await async::wait(event, abi::signals::signaled));
    target.cancel();
    co_return u64(0);
}

USER_TEST(a_job_cancelled_after_its_operation_completed_gets_the_result_then_cancelled) {
    auto executor = ASSERT_OK(async::Executor::create(8));
    auto event = ASSERT_OK(poplar::Event::create());
    EXPECT_OK(event.signal());
    Log log;
    // The canceller's wait is submitted first, so both waits complete in one round, its first: the
    // cancel comes when the target's completion has been read but before the target resumes.
    async::JoinHandle<ErrorOr<u64>> target;
    auto first = ASSERT_OK(executor.spawn(cancel_now(target, event)));
    target = ASSERT_OK(executor.spawn(wait_then_sleep(event, log)));
    EXPECT_OK(executor.run());
    EXPECT_EQ(target.take_result().value_or(0), u64(abi::signals::signaled));
    EXPECT_EQ(log.count, 1u);
    EXPECT_EQ(executor.statistics().cancels_written, 0u);  // nothing in the kernel to cancel
}

USER_TEST(more_sleepers_than_the_rings_hold_all_wake) {
    Footprint before;
    {
        auto executor = ASSERT_OK(async::Executor::create(4));  // 8 completions, 6 for operations
        Log log;
        constexpr u64 count = 100;
        for (u64 i = 0; i < count; ++i) EXPECT_OK(executor.spawn(sleep_then_log((i % 3 + 1) * millisecond, i, log)));
        EXPECT_OK(executor.run());
        EXPECT_EQ(log.count, count);
        auto statistics = executor.statistics();
        EXPECT(statistics.most_waiting >= count - 6);
        EXPECT(statistics.most_in_flight <= 8);
        EXPECT_EQ(statistics.should_wait, 0u);
        EXPECT_EQ(statistics.completions, statistics.entries_written);  // each entry completed once
    }
    EXPECT_NOTHING_LEFT(before);
}

Task<ErrorOr<void>> signal_later(const poplar::Event& event, u64 nanoseconds) {
    CO_TRY(co_await async::sleep_for(nanoseconds));
    co_return event.signal();
}

// Fifty waits on a ring that holds three operations, and the sleep that ends them queued behind
// them: the loop lends the waits' places in turn (cancels them and queues them again), so the
// sleep gets in, the event is signalled and every wait completes.
USER_TEST(more_waits_than_the_rings_hold_take_turns_so_the_one_that_ends_them_gets_in) {
    Footprint before;
    {
        auto executor = ASSERT_OK(async::Executor::create(2));  // 4 completions, 3 for operations
        auto event = ASSERT_OK(poplar::Event::create());
        Log log;
        constexpr u64 count = 50;
        for (u64 i = 0; i < count; ++i) EXPECT_OK(executor.spawn(wait_then_log(event, i, log)));
        EXPECT_OK(executor.spawn(signal_later(event, 3 * millisecond)));
        EXPECT_OK(executor.run());
        EXPECT_EQ(log.count, count);
        u64 seen = 0;
        for (u64 i = 0; i < log.count; ++i) seen |= u64(1) << log.entries[i];
        EXPECT_EQ(seen, (u64(1) << count) - 1);
        auto statistics = executor.statistics();
        EXPECT(statistics.preemptions >= 3);
        EXPECT(statistics.most_in_flight <= 4);
        EXPECT_EQ(statistics.in_flight, 0u);
    }
    EXPECT_NOTHING_LEFT(before);
}

// More waits than the kernel runs jobs for one task (256): the loop keeps at most
// max_operations_in_kernel of them there, whatever the ring's size, so none fails with
// LimitReached.
USER_TEST(more_waits_than_the_kernel_has_jobs_for_stay_within_its_limit) {
    Footprint before;
    {
        auto executor = ASSERT_OK(async::Executor::create(1024));
        auto event = ASSERT_OK(poplar::Event::create());
        Log log;
        constexpr u64 count = 300;
        for (u64 i = 0; i < count; ++i) EXPECT_OK(executor.spawn(wait_then_log(event, i, log)));
        EXPECT_OK(executor.spawn(signal_later(event, 3 * millisecond)));
        EXPECT_OK(executor.run());
        EXPECT_EQ(log.total, usize(count));
        auto statistics = executor.statistics();
        EXPECT_EQ(statistics.most_in_kernel, async::Loop::max_operations_in_kernel);
        EXPECT_EQ(statistics.live_jobs, 0u);
    }
    EXPECT_NOTHING_LEFT(before);
}

USER_TEST(a_completion_queue_filled_by_operations_that_complete_at_once_is_drained_in_order) {
    auto executor = ASSERT_OK(async::Executor::create(1));  // 2 completions, 1 for operations
    auto pair = ASSERT_OK(poplar::Channel::create());
    Log log;
    constexpr u8 count = 40;
    for (u8 i = 0; i < count; ++i) EXPECT_OK(executor.spawn(send_then_log(pair.first, i, log)));
    EXPECT_OK(executor.run());
    EXPECT_EQ(log.count, usize(count));
    for (u8 i = 0; i < count; ++i) {
        u8 byte = 0xff;
        EXPECT_OK(pair.second.receive(base::Bytes(&byte, 1), {}, abi::deadline_now));
        EXPECT_EQ(byte, i);
    }
    EXPECT_EQ(executor.statistics().should_wait, 0u);
}

USER_TEST(the_loop_blocks_in_the_kernel_instead_of_spinning) {
    auto executor = ASSERT_OK(async::Executor::create(8));
    u64 started = sys::clock_read();
    EXPECT_OK(executor.block_on(sleep_task(30 * millisecond)));
    EXPECT(sys::clock_read() - started >= 30 * millisecond);
    auto statistics = executor.statistics();
    EXPECT_EQ(statistics.enters, 1u);  // submitted the timeout and waited for it in one call
    EXPECT_EQ(statistics.blocking_enters, 1u);
    EXPECT_EQ(statistics.polls, 2u);
}

Task<ErrorOr<void>> wait_on(async::WaitQueue& queue) { co_return co_await queue.wait(); }

Task<ErrorOr<void>> join_a_waiter(async::WaitQueue& queue) {
    auto waiter = CO_TRY(async::spawn(wait_on(queue)));
    co_return co_await waiter.join();
}

USER_TEST(jobs_that_only_wait_for_each_other_are_reported_not_waited_for) {
    Footprint before;
    {
        async::WaitQueue nobody_notifies;
        auto executor = ASSERT_OK(async::Executor::create(4));
        auto job = ASSERT_OK(executor.spawn(join_a_waiter(nobody_notifies)));
        EXPECT_ERROR(executor.run(), Error::BadState);
        job.cancel();  // the joiner stops waiting; the joined job is cancelled when the executor goes
        EXPECT_OK(executor.loop().run_until(&job.job()));
        EXPECT_ERROR(job.take_result(), Error::Cancelled);
    }
    EXPECT_NOTHING_LEFT(before);
}

USER_TEST(an_executor_going_away_cancels_and_awaits_what_is_in_flight) {
    Footprint before;
    {
        auto event = ASSERT_OK(poplar::Event::create());
        auto executor = ASSERT_OK(async::Executor::create(4));
        for (int i = 0; i < 10; ++i) EXPECT_OK(executor.spawn(wait_forever(event)));
        EXPECT_OK(executor.spawn(sleep_task(abi::deadline_infinite)));
        EXPECT_OK(executor.block_on(sleep_task(millisecond)));
        EXPECT_EQ(executor.statistics().in_flight, 6u);  // as many as the rings take; the rest wait
    }
    EXPECT_NOTHING_LEFT(before);
}

// Channels and services through the ring: receive, call, subscribe.

Task<ErrorOr<void>> send_later(const poplar::Channel& channel, base::StringView text, u64 nanoseconds) {
    CO_TRY(co_await async::sleep_for(nanoseconds));
    co_return co_await async::send(channel,
                                   base::ReadonlyBytes(reinterpret_cast<const u8*>(text.data()), text.length()));
}

Task<ErrorOr<usize>> receive_text(const poplar::Channel& channel, char* buffer, usize capacity, u64 deadline) {
    auto received =
        CO_TRY(co_await async::receive(channel, base::Bytes(reinterpret_cast<u8*>(buffer), capacity), {}, deadline));
    co_return usize(received.sizes.bytes);
}

Task<ErrorOr<void>> receive_waits_for_a_message_and_a_cancelled_one_takes_nothing(poplar::Channel::Pair& pair) {
    char text[16] = {};
    auto sender = CO_TRY(async::spawn(send_later(pair.first, "hello", 2 * millisecond)));
    EXPECT_EQ(CO_TRY(co_await receive_text(pair.second, text, sizeof(text), abi::deadline_infinite)), 5u);
    EXPECT_EQ(base::StringView(text, 5), base::StringView("hello"));
    CO_TRY(co_await sender.join());
    // A receive that times out (with_deadline cancels it) leaves the next message for the next reader.
    EXPECT_ERROR(co_await async::with_deadline(sys::deadline_after(2 * millisecond),
                                               receive_text(pair.second, text, sizeof(text), abi::deadline_infinite)),
                 Error::TimedOut);
    CO_TRY(co_await async::send(pair.first, base::ReadonlyBytes(reinterpret_cast<const u8*>("again"), 5)));
    EXPECT_EQ(CO_TRY(co_await receive_text(pair.second, text, sizeof(text), abi::deadline_now)), 5u);
    // Too small a buffer: BufferTooSmall with the sizes, and the message stays.
    CO_TRY(co_await async::send(pair.first, base::ReadonlyBytes(reinterpret_cast<const u8*>("too long"), 8)));
    {
        char small[4];
        async::Receive receive(pair.second.value(), base::Bytes(reinterpret_cast<u8*>(small), sizeof(small)), {},
                               abi::deadline_now);
        EXPECT_ERROR(co_await receive, Error::BufferTooSmall);
        EXPECT_EQ(receive.needed().bytes, 8u);
    }
    EXPECT_EQ(CO_TRY(co_await receive_text(pair.second, text, sizeof(text), abi::deadline_now)), 8u);
    // Its own deadline.
    EXPECT_ERROR(co_await receive_text(pair.second, text, sizeof(text), sys::deadline_after(millisecond)),
                 Error::TimedOut);
    co_return {};
}

USER_TEST(receive_waits_for_a_message_and_a_cancelled_receive_takes_nothing) {
    auto executor = ASSERT_OK(async::Executor::create(8));
    auto pair = ASSERT_OK(poplar::Channel::create());
    EXPECT_OK(executor.block_on(receive_waits_for_a_message_and_a_cancelled_one_takes_nothing(pair)));
    EXPECT_EQ(executor.statistics().in_flight, 0u);
}

// A server that takes three requests, then answers them last first, each with its transaction.
Task<ErrorOr<void>> answer_in_reverse(const poplar::Channel& server) {
    struct Request {
        char text[8];
        async::Received received;
    } requests[3];
    for (auto& request : requests)
        request.received = CO_TRY(
            co_await async::receive(server, base::Bytes(reinterpret_cast<u8*>(request.text), sizeof(request.text))));
    for (usize i = 3; i > 0; --i) {
        auto& request = requests[i - 1];
        EXPECT(request.received.transaction != 0);
        request.text[0] = static_cast<char>(request.text[0] - 'a' + 'A');  // the answer: capitalised
        CO_TRY(co_await async::send(
            server, base::ReadonlyBytes(reinterpret_cast<u8*>(request.text), request.received.sizes.bytes), {},
            request.received.transaction));
    }
    co_return {};
}

Task<ErrorOr<void>> call_and_check(const poplar::Channel& client, base::StringView request, base::StringView answer) {
    char reply[8] = {};
    auto sizes = CO_TRY(co_await async::call(
        client, base::ReadonlyBytes(reinterpret_cast<const u8*>(request.data()), request.length()), {},
        base::Bytes(reinterpret_cast<u8*>(reply), sizeof(reply)), {}, sys::deadline_after(5 * second)));
    EXPECT_EQ(base::StringView(reply, sizes.bytes), answer);
    co_return {};
}

Task<ErrorOr<void>> three_calls_outstanding_on_one_channel(poplar::Channel::Pair& pair) {
    auto server = CO_TRY(async::spawn(answer_in_reverse(pair.second)));
    auto first = CO_TRY(async::spawn(call_and_check(pair.first, "abc", "Abc")));
    auto second = CO_TRY(async::spawn(call_and_check(pair.first, "def", "Def")));
    auto third = CO_TRY(async::spawn(call_and_check(pair.first, "ghi", "Ghi")));
    CO_TRY(co_await first.join());
    CO_TRY(co_await second.join());
    CO_TRY(co_await third.join());
    co_return co_await server.join();
}

USER_TEST(calls_outstanding_together_on_one_channel_each_get_their_own_reply) {
    Footprint before;
    {
        auto executor = ASSERT_OK(async::Executor::create(8));
        auto pair = ASSERT_OK(poplar::Channel::create());
        EXPECT_OK(executor.block_on(three_calls_outstanding_on_one_channel(pair)));
        // A call to a peer that is gone.
        poplar::Channel client = base::move(pair.first);
        pair.second.reset();
        EXPECT_ERROR(executor.block_on(call_and_check(client, "x", "X")), Error::PeerClosed);
    }
    EXPECT_NOTHING_LEFT(before);
}

// A server that answers its first request only after the second came, then the second.
Task<ErrorOr<void>> answer_late(const poplar::Channel& server) {
    char first[8], second[8];
    auto late = CO_TRY(co_await async::receive(server, base::Bytes(reinterpret_cast<u8*>(first), sizeof(first))));
    auto next = CO_TRY(co_await async::receive(server, base::Bytes(reinterpret_cast<u8*>(second), sizeof(second))));
    first[0] = 'L';
    CO_TRY(co_await async::send(server, base::ReadonlyBytes(reinterpret_cast<u8*>(first), late.sizes.bytes), {},
                                late.transaction));
    second[0] = 'N';
    co_return co_await async::send(server, base::ReadonlyBytes(reinterpret_cast<u8*>(second), next.sizes.bytes), {},
                                   next.transaction);
}

Task<ErrorOr<void>> a_late_reply_does_not_answer_the_next_call(poplar::Channel::Pair& pair) {
    auto server = CO_TRY(async::spawn(answer_late(pair.second)));
    // The first call gives up (its operation is cancelled and awaited); its reply comes later.
    EXPECT_ERROR(
        co_await async::with_deadline(sys::deadline_after(3 * millisecond), call_and_check(pair.first, "old", "Lld")),
        Error::TimedOut);
    CO_TRY(co_await call_and_check(pair.first, "new", "New"));  // its own reply, not the late one
    CO_TRY(co_await server.join());
    // The late reply was queued as an ordinary message.
    char text[8] = {};
    EXPECT_EQ(CO_TRY(co_await receive_text(pair.first, text, sizeof(text), abi::deadline_now)), 3u);
    EXPECT_EQ(base::StringView(text, 3), base::StringView("Lld"));
    co_return {};
}

USER_TEST(a_call_given_up_before_its_reply_leaves_the_next_call_matched_to_its_own) {
    Footprint before;
    {
        auto executor = ASSERT_OK(async::Executor::create(8));
        auto pair = ASSERT_OK(poplar::Channel::create());
        EXPECT_OK(executor.block_on(a_late_reply_does_not_answer_the_next_call(pair)));
        EXPECT_EQ(executor.statistics().in_flight, 0u);
    }
    EXPECT_NOTHING_LEFT(before);
}

Task<ErrorOr<void>> close_later(poplar::Channel& channel, u64 nanoseconds) {
    CO_TRY(co_await async::sleep_for(nanoseconds));
    channel.reset();
    co_return {};
}

Task<ErrorOr<void>> receive_while_the_peer_goes(poplar::Channel::Pair& pair) {
    auto closer = CO_TRY(async::spawn(close_later(pair.first, 2 * millisecond)));
    char text[8];
    EXPECT_ERROR(co_await receive_text(pair.second, text, sizeof(text), abi::deadline_infinite), Error::PeerClosed);
    co_return co_await closer.join();
}

USER_TEST(a_receive_in_flight_ends_with_peer_closed_when_the_peer_goes) {
    auto executor = ASSERT_OK(async::Executor::create(8));
    auto pair = ASSERT_OK(poplar::Channel::create());
    EXPECT_OK(executor.block_on(receive_while_the_peer_goes(pair)));
}

Task<ErrorOr<u64>> race_two_that_never_finish(const poplar::Event& event) {
    auto both = CO_TRY(co_await async::when_any(wait_forever(event), wait_forever(event)));
    // Both children were cancelled (their parent was) and awaited.
    EXPECT_ERROR(both.first, Error::Cancelled);
    EXPECT_ERROR(both.second, Error::Cancelled);
    EXPECT_EQ(async::current_loop().statistics().in_flight, 0u);
    co_return u64(both.winner);
}

USER_TEST(a_cancelled_when_any_cancels_and_awaits_both_children) {
    Footprint before;
    {
        auto executor = ASSERT_OK(async::Executor::create(8));
        auto event = ASSERT_OK(poplar::Event::create());
        auto racer = ASSERT_OK(executor.spawn(race_two_that_never_finish(event)));
        EXPECT_OK(executor.spawn(cancel_later(racer, 2 * millisecond)));
        EXPECT_OK(executor.run());
        EXPECT_OK(racer.take_result());
        auto statistics = executor.statistics();
        EXPECT_EQ(statistics.cancels_written, 2u);
        EXPECT_EQ(statistics.live_jobs, 0u);
    }
    EXPECT_NOTHING_LEFT(before);
}

Task<ErrorOr<void>> register_later(poplar::Channel& registration, base::StringView name, u64 nanoseconds) {
    CO_TRY(co_await async::sleep_for(nanoseconds));
    registration = CO_TRY(poplar::register_service(name));
    co_return {};
}

Task<ErrorOr<void>> subscribe_before_the_provider_registers() {
    poplar::Channel registration;
    auto provider = CO_TRY(async::spawn(register_later(registration, "test.runtime.later", 3 * millisecond)));
    auto channel = CO_TRY(co_await async::subscribe("test.runtime.later", sys::deadline_after(5 * second)));
    EXPECT(channel.is_valid());
    CO_TRY(co_await provider.join());
    // The provider's NewClient is queued at its registration.
    EXPECT_OK(co_await async::wait(registration, abi::signals::readable, abi::deadline_now));
    EXPECT_ERROR(co_await async::subscribe("test.runtime.nobody", sys::deadline_after(2 * millisecond)),
                 Error::TimedOut);
    EXPECT_ERROR(co_await async::subscribe("test.runtime.nobody", abi::deadline_now), Error::NotFound);
    EXPECT_ERROR(co_await async::subscribe("bad name!", abi::deadline_now), Error::InvalidArgument);
    co_return {};
}

USER_TEST(subscribe_waits_for_a_provider_and_gives_up_at_its_deadline) {
    Footprint before;
    {
        auto executor = ASSERT_OK(async::Executor::create(8));
        EXPECT_OK(executor.block_on(subscribe_before_the_provider_registers()));
    }
    EXPECT_NOTHING_LEFT(before);
}

// Services: one task serves many clients at once, each client a job of its own. An echo whose
// "slow" request takes 200 ms before it answers (the handler awaits a sleep).
struct SlowEcho {
    Task<ErrorOr<EchoProtocol::Response>> handle(const echo::Echo& request) {
        if (request.text == "slow") CO_TRY(co_await async::sleep_for(200 * millisecond));
        co_return EchoProtocol::Response(echo::Echoed{request.text});
    }
    EchoProtocol::Response handle(const echo::Log&) { return echo::Logged{}; }
};
using EchoHost = async::ServiceHost<EchoProtocol, SlowEcho>;
constexpr base::StringView echo_name = "test.runtime.echo";

// Calls `text` `calls` times; when it finished.
Task<ErrorOr<u64>> echo_client(base::StringView text, usize calls) {
    auto client =
        CO_TRY(co_await async::ServiceClient<EchoProtocol>::subscribe(echo_name, sys::deadline_after(5 * second)));
    for (usize i = 0; i < calls; ++i) {
        auto reply = CO_TRY(co_await client.call(echo::Echo{text}, sys::deadline_after(5 * second)));
        EXPECT(reply.is<echo::Echoed>() && reply.get<echo::Echoed>().text == text);
    }
    co_return sys::clock_read();
}

Task<ErrorOr<void>> serve_a_slow_client_and_many_fast_ones() {
    SlowEcho handler;
    auto host = CO_TRY(EchoHost::create(echo_name, handler));
    auto server = CO_TRY(async::spawn(host.serve()));
    u64 started = sys::clock_read();
    auto slow = CO_TRY(async::spawn(echo_client("slow", 1)));
    constexpr usize fast_count = 8;
    async::JoinHandle<ErrorOr<u64>> fast[fast_count];
    for (auto& client : fast) client = CO_TRY(async::spawn(echo_client("fast", 10)));
    u64 fast_done = 0;
    for (auto& client : fast) fast_done = base::max(fast_done, CO_TRY(co_await client.join()));
    u64 slow_done = CO_TRY(co_await slow.join());
    // Eighty fast calls went through while the slow one was being answered.
    EXPECT(slow_done - started >= 200 * millisecond);
    EXPECT(fast_done < slow_done);
    // Stopping the host cancels every client's job and waits for them.
    server.cancel();
    EXPECT_ERROR(co_await server.join(), Error::Cancelled);
    EXPECT_EQ(host.client_count(), 0u);
    co_return {};
}

USER_TEST(one_task_serves_many_clients_at_once_and_a_slow_one_holds_up_nobody) {
    Footprint before;
    {
        auto executor = ASSERT_OK(async::Executor::create(16));
        EXPECT_OK(executor.block_on(serve_a_slow_client_and_many_fast_ones()));
        EXPECT_EQ(executor.statistics().live_jobs, 0u);
        EXPECT_EQ(executor.statistics().in_flight, 0u);
    }
    EXPECT_NOTHING_LEFT(before);
}

// A client's call that gives up before the slow reply comes: the late reply must not answer the
// client's next call (each call waits for the reply carrying its own transaction).
Task<ErrorOr<void>> a_late_reply_to_a_service_call_does_not_answer_the_next() {
    SlowEcho handler;
    auto host = CO_TRY(EchoHost::create(echo_name, handler));
    auto server = CO_TRY(async::spawn(host.serve()));
    auto client =
        CO_TRY(co_await async::ServiceClient<EchoProtocol>::subscribe(echo_name, sys::deadline_after(5 * second)));
    EXPECT_ERROR(co_await client.call(echo::Echo{"slow"}, sys::deadline_after(20 * millisecond)), Error::TimedOut);
    // Past the slow answer (200 ms): the reply to "slow" has come by now.
    CO_TRY(co_await async::sleep_for(300 * millisecond));
    auto reply = CO_TRY(co_await client.call(echo::Echo{"fast"}, sys::deadline_after(5 * second)));
    EXPECT(reply.is<echo::Echoed>() && reply.get<echo::Echoed>().text == "fast");
    server.cancel();
    EXPECT_ERROR(co_await server.join(), Error::Cancelled);
    co_return {};
}

USER_TEST(a_service_call_given_up_before_its_reply_leaves_the_next_call_its_own_reply) {
    Footprint before;
    {
        auto executor = ASSERT_OK(async::Executor::create(16));
        EXPECT_OK(executor.block_on(a_late_reply_to_a_service_call_does_not_answer_the_next()));
        EXPECT_EQ(executor.statistics().in_flight, 0u);
    }
    EXPECT_NOTHING_LEFT(before);
}

// A program on the runtime that ends (returns, or is killed) with operations in flight: the
// kernel cancels them and everything comes back.
USER_TEST(a_task_ending_with_operations_in_flight_leaves_nothing) {
    auto before = usertest::counts();
    for (u64 round = 0; round < 2; ++round) {
        auto pair = ASSERT_OK(poplar::Channel::create());
        poplar::Handle handles[1] = {base::move(pair.second)};
        auto task = ASSERT_OK(poplar::Task::spawn("runtime_exiter", base::Span<poplar::Handle>(handles)));
        u8 ready = 0;
        EXPECT_OK(pair.first.receive(base::Bytes(&ready, 1), {}, sys::deadline_after(5 * second)));
        EXPECT_EQ(ready, 1u);
        if (round == 0) EXPECT_OK(task.kill());
        if (round == 1) {
            u8 go = 1;  // it exits from inside a job, its operations in flight
            EXPECT_OK(pair.first.send(base::ReadonlyBytes(&go, 1)));
        }
        EXPECT_OK(task.wait(sys::deadline_after(5 * second)));
    }
    auto now = usertest::settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

}  // namespace

int main(const abi::StartInfo&) { return usertest::run_all_tests("runtime_test"); }
