// A kernel service on a kernel-held channel end, used from ring 3: the debug echo service
// (debug_kernel_echo, lib/poplar/protocols/kernel_echo.h), a kernel coroutine on this task's work
// queue. Needs the boot module kernel_echo_client (see user/CMakeLists.txt).

#include <poplar/channel.h>
#include <poplar/event.h>
#include <poplar/protocols/kernel_echo.h>
#include <poplar/start.h>
#include <poplar/task.h>

#include "object_counts.h"
#include "test.h"

using base::Error;
using poplar::Channel;
using poplar::Handle;
using poplar::Task;
using usertest::counts;
using usertest::settled_counts;
namespace abi = poplar::abi;
namespace echo = poplar::protocols::kernel_echo;
namespace rights = poplar::abi::rights;
namespace signals = poplar::abi::signals;
namespace sys = poplar::sys;

namespace {

constexpr u64 millisecond = 1'000'000;
constexpr u64 max_queued_messages = 64;  // per end (docs/syscalls.md)

base::ErrorOr<Channel> open_echo() { return Channel(TRY(sys::debug_kernel_echo())); }

template <typename T>
base::ReadonlyBytes bytes_of(const T& value) {
    return base::ReadonlyBytes(reinterpret_cast<const u8*>(&value), sizeof(value));
}

echo::Command command(echo::Action action, u64 milliseconds) {
    return echo::Command{echo::command_magic, action, milliseconds};
}

bool same_bytes(const void* a, const void* b, usize length) { return __builtin_memcmp(a, b, length) == 0; }

u8 buffer[abi::max_message_bytes];

// Receives the next message into `buffer`, waiting up to two seconds.
base::ErrorOr<poplar::sys::MessageSizes> receive(const Channel& channel, base::Span<Handle> handles = {}) {
    return channel.receive(base::Bytes(buffer), handles, sys::deadline_after(2000 * millisecond));
}

// Waits (up to a second) for the live channel ends to number `expected`.
u64 settled_channels(u64 expected) {
    u64 give_up = sys::clock_read() + 1000 * millisecond;
    while (counts().channels != expected && sys::clock_read() < give_up)
        (void)sys::sleep(sys::deadline_after(millisecond));
    return counts().channels;
}

// Closes the client's end: the service sees its peer close and ends, and both ends are gone.
void close_echo(Channel& service) {
    u64 expected = counts().channels - 2;
    service.reset();
    EXPECT_EQ(settled_channels(expected), expected);
}

}  // namespace

USER_TEST(the_echo_end_is_a_channel_end_that_cannot_be_duplicated) {
    auto service = ASSERT_OK(open_echo());
    auto info = ASSERT_OK(service.info());
    EXPECT_EQ(info.object_type, poplar::ObjectType::Channel);
    EXPECT_EQ(info.rights, rights::transfer | rights::read | rights::send | rights::receive | rights::wait);
    EXPECT_ERROR(service.duplicate(rights::send), Error::AccessDenied);
    close_echo(service);
}

USER_TEST(messages_sent_to_the_echo_come_back_unchanged_and_in_order) {
    auto service = ASSERT_OK(open_echo());
    // Empty, small and large messages, one after the other.
    constexpr u64 lengths[] = {0, 1, 16, 256, 257, 4000};
    static u8 sent[4000];
    for (usize i = 0; i < sizeof(sent); ++i) sent[i] = u8(i * 7 + 3);
    for (u64 length : lengths) {
        sent[0] = u8(length);
        ASSERT_OK(service.send(base::ReadonlyBytes(sent, length)));
    }
    for (u64 length : lengths) {
        sent[0] = u8(length);
        auto sizes = ASSERT_OK(receive(service));
        EXPECT_EQ(sizes.bytes, length);
        EXPECT_EQ(sizes.handles, 0u);
        EXPECT(same_bytes(buffer, sent, length));
    }
    close_echo(service);
}

USER_TEST(a_call_to_the_echo_gets_its_request_back) {
    auto service = ASSERT_OK(open_echo());
    for (u64 round = 0; round < 100; ++round) {
        u64 request = round * 0x9e3779b97f4a7c15ull, reply = 0;
        auto sizes = ASSERT_OK(service.call(bytes_of(request), {}, base::Bytes(reinterpret_cast<u8*>(&reply), 8)));
        EXPECT_EQ(sizes.bytes, 8u);
        EXPECT_EQ(reply, request);
    }
    close_echo(service);
}

USER_TEST(a_full_size_message_comes_back_whole) {
    auto service = ASSERT_OK(open_echo());
    static u8 sent[abi::max_message_bytes];
    for (usize i = 0; i < sizeof(sent); ++i) sent[i] = u8(i ^ (i >> 8));
    ASSERT_OK(service.send(base::ReadonlyBytes(sent)));
    auto sizes = ASSERT_OK(receive(service));
    EXPECT_EQ(sizes.bytes, abi::max_message_bytes);
    EXPECT(same_bytes(buffer, sent, sizeof(sent)));
    close_echo(service);
}

USER_TEST(a_receive_deadline_expires_while_the_echo_delays_and_the_reply_comes_after) {
    auto service = ASSERT_OK(open_echo());
    auto delay = command(echo::Action::delay, 200);
    u64 sent_at = sys::clock_read();
    ASSERT_OK(service.send(bytes_of(delay)));
    EXPECT_ERROR(service.receive(base::Bytes(buffer), {}, sys::deadline_after(20 * millisecond)), Error::TimedOut);
    u64 timed_out_after = sys::clock_read() - sent_at;
    EXPECT(timed_out_after >= 20 * millisecond);
    EXPECT(timed_out_after < 200 * millisecond);
    auto sizes = ASSERT_OK(receive(service));
    EXPECT(sys::clock_read() - sent_at >= 200 * millisecond);
    EXPECT_EQ(sizes.bytes, sizeof(delay));
    EXPECT(same_bytes(buffer, &delay, sizeof(delay)));
    close_echo(service);
}

USER_TEST(a_call_deadline_expires_after_the_request_went_and_the_late_reply_stays_queued) {
    auto service = ASSERT_OK(open_echo());
    auto delay = command(echo::Action::delay, 150);
    abi::ChannelCallArguments call{
        reinterpret_cast<const u8*>(&delay), sizeof(delay), nullptr, 0, buffer, sizeof(buffer), nullptr, 0};
    bool request_sent = false;
    EXPECT_ERROR(
        sys::channel_call(service.value(), call, sys::deadline_after(20 * millisecond), nullptr, &request_sent),
        Error::TimedOut);
    EXPECT(request_sent);
    auto sizes = ASSERT_OK(receive(service));
    EXPECT_EQ(sizes.bytes, sizeof(delay));
    EXPECT(same_bytes(buffer, &delay, sizeof(delay)));
    close_echo(service);
}

// While the service waits it reads nothing: its queue fills, and sends fail with ShouldWait (they
// never block). When it reads again the end is writable, and everything comes back in order,
// though our own queue holds one message fewer than it sends back: the service waits for room.
USER_TEST(sends_stop_at_a_full_queue_while_the_echo_does_not_read_and_all_come_back_in_order) {
    auto service = ASSERT_OK(open_echo());
    auto delay = command(echo::Action::delay, 300);
    u64 delay_sent_at = sys::clock_read();
    ASSERT_OK(service.send(bytes_of(delay)));
    (void)sys::sleep(sys::deadline_after(20 * millisecond));  // it has taken the command and waits
    u64 accepted = 0;
    for (u64 sequence = 1; sequence <= max_queued_messages + 1; ++sequence) {
        auto sent = service.send(bytes_of(sequence));
        if (sent.is_error()) {
            EXPECT_EQ(sent.error(), Error::ShouldWait);
            break;
        }
        ++accepted;
    }
    EXPECT_EQ(accepted, max_queued_messages);
    EXPECT_ERROR(service.wait(signals::writable, abi::deadline_now), Error::ShouldWait);
    auto seen = ASSERT_OK(service.wait(signals::writable, sys::deadline_after(2000 * millisecond)));
    EXPECT(seen & signals::writable);
    EXPECT(sys::clock_read() - delay_sent_at >= 300 * millisecond);
    // The command comes back first, then every message, in order.
    (void)sys::sleep(sys::deadline_after(50 * millisecond));  // the service fills our queue meanwhile
    auto sizes = ASSERT_OK(receive(service));
    EXPECT_EQ(sizes.bytes, sizeof(delay));
    EXPECT(same_bytes(buffer, &delay, sizeof(delay)));
    for (u64 sequence = 1; sequence <= accepted; ++sequence) {
        sizes = ASSERT_OK(receive(service));
        EXPECT_EQ(sizes.bytes, sizeof(sequence));
        u64 received;
        __builtin_memcpy(&received, buffer, sizeof(received));
        EXPECT_EQ(received, sequence);
    }
    EXPECT_ERROR(service.receive(base::Bytes(buffer), {}, abi::deadline_now), Error::ShouldWait);
    close_echo(service);
}

USER_TEST(handles_sent_through_the_echo_come_back_usable) {
    auto before = counts();
    {
        auto service = ASSERT_OK(open_echo());
        auto event = ASSERT_OK(poplar::Event::create());
        auto event_info = ASSERT_OK(event.info());
        auto pair = ASSERT_OK(Channel::create());
        auto end_info = ASSERT_OK(pair.first.info());
        Handle passengers[2] = {base::move(event), base::move(pair.first)};
        ASSERT_OK(service.send(bytes_of(u8(2)), base::Span<Handle>(passengers)));
        EXPECT(!passengers[0].is_valid() && !passengers[1].is_valid());

        Handle back[4];
        auto sizes = ASSERT_OK(receive(service, base::Span<Handle>(back)));
        ASSERT_TRUE(sizes.handles == 2);
        auto info = ASSERT_OK(back[0].info());
        EXPECT_EQ(info.object_id, event_info.object_id);
        EXPECT_EQ(info.rights, event_info.rights);
        poplar::Event returned_event(back[0].release());
        EXPECT_OK(returned_event.signal());
        EXPECT_OK(returned_event.wait(signals::signaled, abi::deadline_now));
        info = ASSERT_OK(back[1].info());
        EXPECT_EQ(info.object_id, end_info.object_id);
        EXPECT_EQ(info.rights, end_info.rights);
        Channel returned_end(back[1].release());
        u8 byte = 42;
        EXPECT_OK(returned_end.send(bytes_of(byte)));
        byte = 0;
        EXPECT_OK(pair.second.receive(base::Bytes(&byte, 1), {}, abi::deadline_now));
        EXPECT_EQ(byte, 42);
        close_echo(service);
    }
    EXPECT_COUNTS_EQ(counts(), before);
}

USER_TEST(closing_the_client_end_ends_the_waiting_service_and_frees_both_ends) {
    auto before = counts();
    auto service = ASSERT_OK(open_echo());
    EXPECT_EQ(counts().channels, before.channels + 2);
    service.reset();  // the service waits in receive
    EXPECT_COUNTS_EQ(settled_counts(before), before);
}

// A waiting service does not watch its peer: it finds the end closed when it sends.
USER_TEST(closing_the_client_end_during_a_delay_ends_the_service_after_it) {
    auto before = counts();
    auto service = ASSERT_OK(open_echo());
    ASSERT_OK(service.send(bytes_of(command(echo::Action::delay, 100))));
    u64 closed_at = sys::clock_read();
    service.reset();
    EXPECT_COUNTS_EQ(settled_counts(before), before);
    EXPECT(sys::clock_read() - closed_at >= 90 * millisecond);  // not before the delay was over
}

USER_TEST(the_service_closing_its_end_wakes_a_blocked_receive_with_peer_closed) {
    auto before = counts();
    auto service = ASSERT_OK(open_echo());
    ASSERT_OK(service.send(bytes_of(command(echo::Action::close, 50))));
    u64 sent_at = sys::clock_read();
    EXPECT_ERROR(service.receive(base::Bytes(buffer), {}, sys::deadline_after(5000 * millisecond)), Error::PeerClosed);
    u64 woken_after = sys::clock_read() - sent_at;
    EXPECT(woken_after >= 50 * millisecond);   // it was blocked when the end closed
    EXPECT(woken_after < 1000 * millisecond);  // and woke then, not at its deadline
    EXPECT_ERROR(service.send(bytes_of(u8(1))), Error::PeerClosed);
    EXPECT_EQ(counts().channels, before.channels + 1);  // the service's end is gone, ours not yet
    service.reset();
    EXPECT_COUNTS_EQ(settled_counts(before), before);
}

// The service holds the end B (taken with a delay command) while B's own queue receives the
// echo's client end: sending B back would put B inside its own queue, through the client end.
// The kernel refuses that send, the service ends, and the ends it held go with it.
USER_TEST(an_end_echoed_into_its_own_queue_is_refused_and_the_service_ends) {
    auto before = counts();
    {
        auto service = ASSERT_OK(open_echo());
        auto pair = ASSERT_OK(Channel::create());
        Handle into_service[1] = {base::move(pair.second)};
        ASSERT_OK(service.send(bytes_of(command(echo::Action::delay, 100)), base::Span<Handle>(into_service)));
        Handle into_b[1] = {base::move(service)};
        ASSERT_OK(pair.first.send(bytes_of(u8(1)), base::Span<Handle>(into_b)));
        // Only B's peer is ours now: it sees B close once the service has ended.
        auto seen = ASSERT_OK(pair.first.wait(signals::peer_closed, sys::deadline_after(2000 * millisecond)));
        EXPECT(seen & signals::peer_closed);
    }
    EXPECT_COUNTS_EQ(settled_counts(before), before);
}

// The service is a job on the caller's work queue: the CPU it uses is the caller's.
USER_TEST(the_echo_work_is_charged_to_the_caller) {
    auto service = ASSERT_OK(open_echo());
    u64 before = ASSERT_OK(Task::own_cpu_time()).kernel_work_nanoseconds;
    static u8 request[4096];
    for (u64 round = 0; round < 200; ++round)
        ASSERT_OK(service.call(base::ReadonlyBytes(request), {}, base::Bytes(buffer)));
    u64 after = ASSERT_OK(Task::own_cpu_time()).kernel_work_nanoseconds;
    poplar::println("kernel_service_test: 200 echo calls of 4 KiB: {} us of kernel work", (after - before) / 1000);
    EXPECT(after > before);
    close_echo(service);
}

// Cancelling the caller's kernel work cancels its services too: they are jobs like any other.
USER_TEST(cancelling_the_callers_kernel_work_ends_its_echo_services) {
    auto before = counts();
    auto service = ASSERT_OK(open_echo());
    ASSERT_OK(service.send(bytes_of(command(echo::Action::delay, 10'000))));
    EXPECT_OK(sys::debug_kernel_work(0, abi::work_account::caller));
    auto seen = ASSERT_OK(service.wait(signals::peer_closed, sys::deadline_after(1000 * millisecond)));
    EXPECT(seen & signals::peer_closed);
    service.reset();
    EXPECT_COUNTS_EQ(settled_counts(before), before);
}

// Each service is a job on the caller's queue, and a queue holds at most 256.
USER_TEST(a_task_runs_at_most_256_echo_services) {
    auto before = counts();
    {
        static Channel services[257];
        u64 opened = 0;
        for (auto& service : services) {
            auto result = open_echo();
            if (result.is_error()) {
                EXPECT_EQ(result.error(), Error::LimitReached);
                break;
            }
            service = result.release_value();
            ++opened;
        }
        EXPECT_EQ(opened, 256u);
        for (auto& service : services) service.reset();
    }
    EXPECT_COUNTS_EQ(settled_counts(before), before);
}

// The child calls its own echo service, which waits 10 seconds; the child is killed meanwhile. Its
// service is cancelled with its work queue: everything is gone within a second.
USER_TEST(a_client_killed_mid_call_cancels_its_service_and_leaves_nothing) {
    auto before = counts();
    {
        auto pair = ASSERT_OK(Channel::create());
        Handle for_child[1] = {base::move(pair.second)};
        auto child = ASSERT_OK(Task::spawn("kernel_echo_client", base::Span<Handle>(for_child)));
        ASSERT_OK(pair.first.send(base::ReadonlyBytes(reinterpret_cast<const u8*>("call"), 4)));
        ASSERT_OK(receive(pair.first));
        (void)sys::sleep(sys::deadline_after(50 * millisecond));  // it calls, the service waits
        // It runs, with four channel ends: our pair, and its echo's (the kernel's end in the delay).
        auto during = counts();
        EXPECT_EQ(during.tasks, before.tasks + 1);
        EXPECT_EQ(during.channels, before.channels + 4);
        EXPECT_OK(child.kill());
        EXPECT_EQ(ASSERT_OK(child.wait(sys::deadline_after(2000 * millisecond))), -1);
    }
    EXPECT_COUNTS_EQ(settled_counts(before), before);
}

// A service belongs to the task that made it, wherever its end goes.
USER_TEST(a_service_ends_with_the_task_that_made_it_though_its_end_lives_on) {
    auto before = counts();
    {
        auto pair = ASSERT_OK(Channel::create());
        Handle for_child[1] = {base::move(pair.second)};
        auto child = ASSERT_OK(Task::spawn("kernel_echo_client", base::Span<Handle>(for_child)));
        ASSERT_OK(pair.first.send(base::ReadonlyBytes(reinterpret_cast<const u8*>("give"), 4)));
        Handle given[1];
        auto sizes = ASSERT_OK(receive(pair.first, base::Span<Handle>(given)));
        ASSERT_TRUE(sizes.handles == 1);
        EXPECT_EQ(ASSERT_OK(child.wait(sys::deadline_after(2000 * millisecond))), 0);
        Channel service(given[0].release());
        EXPECT_OK(service.wait(signals::peer_closed, sys::deadline_after(1000 * millisecond)));
        EXPECT_ERROR(service.send(bytes_of(u8(1))), Error::PeerClosed);
    }
    EXPECT_COUNTS_EQ(settled_counts(before), before);
}

int main(const abi::StartInfo&) {
    // This task's work queue, and its worker thread, come with its first kernel job and stay until
    // it ends: make them now, so that every test's counts include them.
    if (sys::debug_kernel_work(1, abi::work_account::caller).is_error()) return 2;
    return usertest::run_all_tests("kernel_service_test");
}
