// In-kernel tests of the async runtime's kernel awaitables (timers, signals, channels) on the
// real target: an executor is driven by hand, and the CPU halts between polls until an interrupt
// (the timer) makes a job ready.

#include <arch/arch.h>
#include <async/combinators.h>
#include <async/kernel_awaitables.h>
#include <object/event.h>
#include <test/kernel_test.h>
#include <test/run_jobs.h>
#include <time/clock.h>

namespace {

using test::run_until_complete;

constexpr u64 millisecond = 1'000'000;

async::Task<base::ErrorOr<u64>> sleep_and_measure(u64 duration) {
    u64 start = time::monotonic_nanoseconds();
    CO_TRY(co_await async::sleep_for(duration));
    co_return time::monotonic_nanoseconds() - start;
}

async::Task<base::ErrorOr<u32>> wait_for(base::RefPtr<KernelObject> object, u32 wanted, u64 deadline) {
    co_return co_await async::wait_signals(base::move(object), wanted, deadline);
}

async::Task<base::ErrorOr<u32>> receive_length(base::RefPtr<Channel> channel, u64 deadline) {
    auto message = CO_TRY(co_await async::receive(base::move(channel), deadline));
    co_return message->byte_count();
}

base::ErrorOr<void> send_bytes(Channel& channel, u32 count) {
    MessagePointer message = TRY(Message::create(count, 0));
    return channel.write(message);
}

}  // namespace

KERNEL_TEST(async, sleep_waits_at_least_its_duration) {
    async::Executor executor;
    auto job = MUST(executor.spawn(sleep_and_measure(5 * millisecond)));
    KEXPECT(run_until_complete(executor, job));
    auto slept = job->take_result();
    KEXPECT(slept.is_ok() && slept.value() >= 5 * millisecond && slept.value() < 100 * millisecond);
}

KERNEL_TEST(async, cancelling_a_sleep_ends_it_and_disarms_its_timer) {
    async::Executor executor;
    auto job = MUST(executor.spawn(sleep_and_measure(10'000 * millisecond)));
    executor.run(1);
    job->request_cancel();
    KEXPECT(run_until_complete(executor, job, 50 * millisecond));
    KEXPECT(job->take_result().error() == base::Error::Cancelled);
}

KERNEL_TEST(async, a_signal_wakes_the_waiting_job) {
    async::Executor executor;
    auto event = MUST(Event::create());
    auto job = MUST(executor.spawn(wait_for(event, poplar::abi::signals::signaled, async::no_deadline)));
    executor.run(10);
    KEXPECT(!job->is_complete());
    event->signal();
    KEXPECT(run_until_complete(executor, job));
    auto seen = job->take_result();
    KEXPECT(seen.is_ok() && (seen.value() & poplar::abi::signals::signaled));
}

// A signal raised and cleared again before the waiting job runs is not an outcome: the job goes
// on waiting (it used to end with Cancelled).
KERNEL_TEST(async, a_signal_raised_and_cleared_before_the_job_runs_is_waited_through) {
    async::Executor executor;
    auto event = MUST(Event::create());
    auto job = MUST(executor.spawn(wait_for(event, poplar::abi::signals::signaled, async::no_deadline)));
    executor.run(10);
    event->signal();
    event->clear();
    executor.run(10);
    KEXPECT(!job->is_complete());
    event->signal();
    KEXPECT(run_until_complete(executor, job));
    auto seen = job->take_result();
    KEXPECT(seen.is_ok() && (seen.value() & poplar::abi::signals::signaled));
}

KERNEL_TEST(async, a_signal_wait_times_out_at_its_deadline) {
    async::Executor executor;
    auto event = MUST(Event::create());
    u64 deadline = time::monotonic_nanoseconds() + 3 * millisecond;
    auto job = MUST(executor.spawn(wait_for(event, poplar::abi::signals::signaled, deadline)));
    KEXPECT(run_until_complete(executor, job));
    KEXPECT(job->take_result().error() == base::Error::TimedOut);
    KEXPECT(time::monotonic_nanoseconds() >= deadline);
}

KERNEL_TEST(async, receive_takes_a_message_from_a_kernel_channel) {
    async::Executor executor;
    auto pair = MUST(Channel::create_pair());
    // The ends need handles to count as open; kernel code holds them as Handle objects.
    Handle first(pair.first, poplar::abi::rights::all), second(pair.second, poplar::abi::rights::all);
    auto job = MUST(executor.spawn(receive_length(pair.second, async::no_deadline)));
    executor.run(10);
    KEXPECT(!job->is_complete());
    KEXPECT(send_bytes(*pair.first, 24).is_ok());
    KEXPECT(run_until_complete(executor, job));
    auto length = job->take_result();
    KEXPECT(length.is_ok() && length.value() == 24);
}

KERNEL_TEST(async, receive_reports_a_closed_peer) {
    async::Executor executor;
    auto pair = MUST(Channel::create_pair());
    Handle first(pair.first, poplar::abi::rights::all), second(pair.second, poplar::abi::rights::all);
    auto job = MUST(executor.spawn(receive_length(pair.second, async::no_deadline)));
    executor.run(10);
    first.reset();  // the last handle to the peer goes
    KEXPECT(run_until_complete(executor, job));
    KEXPECT(job->take_result().error() == base::Error::PeerClosed);
}

// An end the kernel holds only by reference closes when the kernel drops it: the peer's receiver
// sees PeerClosed (it used to wait forever).
KERNEL_TEST(async, dropping_a_kernel_held_end_closes_it_for_the_peer) {
    async::Executor executor;
    auto pair = MUST(Channel::create_pair());
    auto job = MUST(executor.spawn(receive_length(pair.first, async::no_deadline)));
    executor.run(10);
    KEXPECT(!job->is_complete());
    pair.second.clear();
    KEXPECT(run_until_complete(executor, job));
    KEXPECT(job->take_result().error() == base::Error::PeerClosed);
}

async::Task<base::ErrorOr<u64>> send_many(base::RefPtr<Channel> channel, u64 count, u64 deadline) {
    for (u64 i = 0; i < count; ++i) {
        MessagePointer message = CO_TRY(Message::create(8, 0));
        CO_TRY(co_await async::send(channel, base::move(message), deadline));
    }
    co_return count;
}

// A kernel job sending into a full queue waits (it does not fail) until the receiver makes room.
KERNEL_TEST(async, send_waits_for_room_in_the_peers_queue) {
    async::Executor executor;
    auto pair = MUST(Channel::create_pair());
    auto job = MUST(executor.spawn(send_many(pair.first, Channel::max_queued_messages + 3, async::no_deadline)));
    executor.run(100);
    KEXPECT(!job->is_complete());  // 64 queued, the 65th waits
    for (int i = 0; i < 3; ++i) MUST(pair.second->read());
    KEXPECT(run_until_complete(executor, job));
    auto sent = job->take_result();
    KEXPECT(sent.is_ok() && sent.value() == Channel::max_queued_messages + 3);
    // With the queue full and a deadline, it gives up with TimedOut.
    auto late = MUST(executor.spawn(send_many(pair.first, 1, time::monotonic_nanoseconds() + 2 * millisecond)));
    KEXPECT(run_until_complete(executor, late));
    KEXPECT(late->take_result().error() == base::Error::TimedOut);
}

async::Task<base::ErrorOr<u32>> echo_once(base::RefPtr<Channel> channel) {
    auto request = CO_TRY(co_await async::receive(channel));
    u32 length = request->byte_count();
    CO_TRY(co_await async::send(channel, base::move(request)));
    co_return length;
}

async::Task<base::ErrorOr<u32>> call_with(base::RefPtr<Channel> channel, u32 length, u64 deadline) {
    MessagePointer request = CO_TRY(Message::create(length, 0));
    auto reply = CO_TRY(co_await async::call(base::move(channel), base::move(request), deadline));
    co_return reply->byte_count();
}

// Two kernel jobs on one channel: a call and an echo.
KERNEL_TEST(async, call_gets_the_reply_or_times_out) {
    async::Executor executor;
    auto pair = MUST(Channel::create_pair());
    auto server = MUST(executor.spawn(echo_once(pair.second)));
    auto client = MUST(executor.spawn(call_with(pair.first, 24, async::no_deadline)));
    KEXPECT(run_until_complete(executor, client));
    KEXPECT(client->take_result().value_or(0) == 24);
    KEXPECT(run_until_complete(executor, server));
    // Nobody answers the next call: its deadline ends it.
    auto unanswered = MUST(executor.spawn(call_with(pair.first, 8, time::monotonic_nanoseconds() + 2 * millisecond)));
    KEXPECT(run_until_complete(executor, unanswered));
    KEXPECT(unanswered->take_result().error() == base::Error::TimedOut);
}

KERNEL_TEST(async, when_any_of_a_timer_and_a_signal) {
    async::Executor executor;
    auto event = MUST(Event::create());
    auto job = MUST(executor.spawn(async::when_any(
        sleep_and_measure(2 * millisecond), wait_for(event, poplar::abi::signals::signaled, async::no_deadline))));
    KEXPECT(run_until_complete(executor, job));
    auto both = job->take_result();
    KEXPECT(both.is_ok() && both.value().winner == 0);
    KEXPECT(both.value().second.error() == base::Error::Cancelled);
    KEXPECT(executor.live_jobs() == 0);
}
