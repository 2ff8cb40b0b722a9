// kernel.console from user space (poplar/protocols/kernel_console.h, docs/console.md): writes, the
// limits and one past them, garbage, a second reader, readers that go away mid-read (their session
// closed, their task killed), and, with the QEMU runner typing on the serial port
// (tests/qemu/console_test.txt), bytes typed arriving through the receive interrupt and a flood
// that overflows the kernel's buffer. Spawns the boot module task_child.

#include <poplar/channel.h>
#include <poplar/print.h>
#include <poplar/protocols/kernel_console.h>
#include <poplar/protocols/kernel_tasks.h>
#include <poplar/start.h>
#include <poplar/task.h>
#include <ptah/ptah.h>

#include "kernel_client.h"
#include "object_counts.h"
#include "test.h"

using base::Error;
using base::StringView;
using poplar::Channel;
using poplar::Task;
using usertest::counts;
using usertest::settled_counts;
namespace abi = poplar::abi;
namespace protocols = poplar::protocols;
namespace sys = poplar::sys;
namespace console = protocols::kernel_console;
using protocols::KernelConsole;

namespace {

constexpr u64 millisecond = 1'000'000;

base::ErrorOr<Channel> subscribe(StringView name) {
    return Channel(TRY(sys::service_subscribe(name.data(), name.length(), abi::deadline_now)));
}

u8 reply_bytes[4096];

base::ErrorOr<void> send(const Channel& session, const KernelConsole::Request& request) {
    u8 bytes[console::max_write_bytes + 64];
    ptah::HandleList handles;
    auto size = TRY(ptah::to_system_result(ptah::encode(request, base::Bytes(bytes, sizeof(bytes)), handles)));
    return session.send(base::ReadonlyBytes(bytes, size.bytes));
}

// The next reply (it borrows from reply_bytes); TimedOut when none comes by the deadline.
base::ErrorOr<KernelConsole::Response> receive(const Channel& session, u64 deadline) {
    auto sizes = TRY(session.receive(base::Bytes(reply_bytes, sizeof(reply_bytes)), {}, deadline));
    return ptah::to_system_result(
        ptah::decode<KernelConsole::Response>(base::ReadonlyBytes(reply_bytes, sizes.bytes), {}, {}));
}

base::ErrorOr<KernelConsole::Response> call(const Channel& session, const KernelConsole::Request& request,
                                            u64 timeout = 2000 * millisecond) {
    TRY(send(session, request));
    return receive(session, sys::deadline_after(timeout));
}

u32 refusal_of(const base::ErrorOr<KernelConsole::Response>& reply) {
    if (reply.is_error() || !reply.value().is<console::Refused>()) return 0;
    return reply.value().get<console::Refused>().error;
}

bool peer_closes(const Channel& session) {
    auto seen = sys::wait_one(session.value(), abi::signals::peer_closed, sys::deadline_after(2000 * millisecond));
    return seen.is_ok() && (seen.value() & abi::signals::peer_closed);
}

// Whether a Read on `session` is accepted (it then waits: nothing was typed) rather than refused.
bool read_is_accepted(const Channel& session) {
    auto reply = call(session, console::Read{1}, 100 * millisecond);
    return reply.is_error() && reply.error() == Error::TimedOut;
}

abi::ObjectCounts baseline;
abi::ObjectCounts quiet_counts() { return settled_counts(baseline); }

}  // namespace

USER_TEST(write_puts_bytes_on_the_terminal) {
    auto session = ASSERT_OK(subscribe("kernel.console"));
    StringView text = "console_test: written through kernel.console\n";
    auto reply = call(session, console::Write{{reinterpret_cast<const u8*>(text.data()), text.length()}});
    EXPECT(reply.is_ok() && reply.value().is<console::Written>());
}

USER_TEST(a_write_up_to_the_limit_is_written_and_one_past_it_is_refused) {
    auto session = ASSERT_OK(subscribe("kernel.console"));
    static u8 bytes[console::max_write_bytes + 1];
    for (usize i = 0; i < sizeof(bytes); ++i) bytes[i] = i % 64 == 63 ? '\n' : '.';
    auto refused = call(session, console::Write{{bytes, sizeof(bytes)}});
    EXPECT_EQ(refusal_of(refused), static_cast<u32>(Error::InvalidArgument));
    auto written = call(session, console::Write{{bytes, console::max_write_bytes}});
    EXPECT(written.is_ok() && written.value().is<console::Written>());
}

USER_TEST(a_read_of_zero_bytes_or_past_the_limit_is_refused_and_the_session_goes_on) {
    auto session = ASSERT_OK(subscribe("kernel.console"));
    EXPECT_EQ(refusal_of(call(session, console::Read{0})), static_cast<u32>(Error::InvalidArgument));
    EXPECT_EQ(refusal_of(call(session, console::Read{console::max_read_bytes + 1})),
              static_cast<u32>(Error::InvalidArgument));
    EXPECT_EQ(refusal_of(call(session, console::Read{~u32(0)})), static_cast<u32>(Error::InvalidArgument));
    auto written = call(session, console::Write{{reinterpret_cast<const u8*>("ok\n"), 3}});
    EXPECT(written.is_ok() && written.value().is<console::Written>());
}

USER_TEST(garbage_ends_the_session_and_a_new_one_works) {
    auto before = quiet_counts();
    {
        auto session = ASSERT_OK(subscribe("kernel.console"));
        const u8 garbage[] = {0xde, 0xad, 0xbe, 0xef, 0xff, 0xff, 0xff, 0xff, 0x01};
        EXPECT_OK(session.send(base::ReadonlyBytes(garbage, sizeof(garbage))));
        EXPECT(peer_closes(session));
        // A Write whose byte count runs past the message.
        auto again = ASSERT_OK(subscribe("kernel.console"));
        const u8 short_write[] = {0x00, 0xff, 0xff, 0x00, 0x00};
        EXPECT_OK(again.send(base::ReadonlyBytes(short_write, sizeof(short_write))));
        EXPECT(peer_closes(again));
        auto third = ASSERT_OK(subscribe("kernel.console"));
        auto written = call(third, console::Write{{reinterpret_cast<const u8*>("ok\n"), 3}});
        EXPECT(written.is_ok() && written.value().is<console::Written>());
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

USER_TEST(a_second_reader_is_refused_until_the_first_session_ends) {
    auto before = quiet_counts();
    {
        auto first = ASSERT_OK(subscribe("kernel.console"));
        auto second = ASSERT_OK(subscribe("kernel.console"));
        EXPECT_OK(send(first, console::Read{1}));  // waits: nothing is typed
        (void)sys::sleep(sys::deadline_after(20 * millisecond));
        EXPECT_EQ(refusal_of(call(second, console::Read{1})), static_cast<u32>(Error::BadState));
        // Writing is anyone's.
        auto written = call(second, console::Write{{reinterpret_cast<const u8*>("ok\n"), 3}});
        EXPECT(written.is_ok() && written.value().is<console::Written>());
        first.reset();  // closed mid-read: the keyboard is free again
        (void)sys::sleep(sys::deadline_after(20 * millisecond));
        EXPECT(read_is_accepted(second));
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

USER_TEST(a_reader_killed_mid_read_leaves_nothing_and_frees_the_keyboard) {
    auto before = quiet_counts();
    {
        auto tasks = ASSERT_OK(subscribe("kernel.tasks"));
        usertest::Arena arena;
        usertest::KernelClientChannel transport{tasks};
        ptah::Client<protocols::KernelTasks, usertest::KernelClientChannel> client(transport,
                                                                                   ptah::DecodeOptions{&arena, {}});
        auto reply = ASSERT_OK(client.call(protocols::kernel_tasks::Spawn{"task_child", "read_console"}));
        EXPECT(reply.is<protocols::kernel_tasks::Spawned>());
        if (!reply.is<protocols::kernel_tasks::Spawned>()) return;
        Task child(reply.get<protocols::kernel_tasks::Spawned>().task.value);
        auto probe = ASSERT_OK(subscribe("kernel.console"));
        // Until the child's Read holds the keyboard.
        bool held = false;
        for (u64 end = sys::clock_read() + 2000 * millisecond; !held && sys::clock_read() < end;) {
            (void)sys::sleep(sys::deadline_after(5 * millisecond));
            held = refusal_of(call(probe, console::Read{1})) == static_cast<u32>(Error::BadState);
        }
        EXPECT(held);
        EXPECT_OK(child.kill());
        EXPECT_EQ(child.wait(sys::deadline_after(2000 * millisecond)).value_or(0), -1);
        (void)sys::sleep(sys::deadline_after(20 * millisecond));
        EXPECT(read_is_accepted(probe));
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

// The runner types "hello" once it sees the line this test prints.
USER_TEST(typed_bytes_arrive_through_the_receive_interrupt) {
    auto session = ASSERT_OK(subscribe("kernel.console"));
    poplar::println("console_test: type hello now");
    char typed[16];
    usize count = 0;
    u64 end = sys::deadline_after(20'000 * millisecond);
    while (count < 6 && sys::clock_read() < end) {
        auto reply = call(session, console::Read{console::max_read_bytes}, 20'000 * millisecond);
        if (reply.is_error() || !reply.value().is<console::Data>()) break;
        const auto& data = reply.value().get<console::Data>();
        for (usize i = 0; i < data.bytes.size() && count < sizeof(typed); ++i) typed[count++] = char(data.bytes[i]);
    }
    EXPECT(StringView(typed, count) == StringView("hello\r"));
}

// The runner types 1100 bytes at once while nobody reads: the kernel keeps the first 1024 and
// counts the rest as dropped.
USER_TEST(a_flood_past_the_buffer_keeps_the_oldest_and_counts_the_dropped) {
    auto session = ASSERT_OK(subscribe("kernel.console"));
    poplar::println("console_test: flood now");
    (void)sys::sleep(sys::deadline_after(3000 * millisecond));
    usize total = 0;
    u64 dropped = 0;
    bool in_order = true;
    while (total < console::input_buffer_bytes) {
        auto reply = call(session, console::Read{console::max_read_bytes}, 1000 * millisecond);
        if (reply.is_error() || !reply.value().is<console::Data>()) break;
        const auto& data = reply.value().get<console::Data>();
        for (usize i = 0; i < data.bytes.size(); ++i)
            in_order = in_order && data.bytes[i] == u8('a' + (total + i) % 26);
        total += data.bytes.size();
        dropped += data.dropped;
    }
    EXPECT_EQ(total, console::input_buffer_bytes);
    EXPECT_EQ(dropped, 1100u - console::input_buffer_bytes);
    EXPECT(in_order);
}

int main(const abi::StartInfo& info) {
    {
        auto first = subscribe("kernel.console");
        if (first.is_ok()) (void)call(first.value(), console::Write{{reinterpret_cast<const u8*>(""), 0}});
    }
    (void)sys::sleep(sys::deadline_after(20 * millisecond));
    baseline = counts();
    return usertest::run_all_tests(info.name);
}
