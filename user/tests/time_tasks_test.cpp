// user -> kernel through kernel.time and kernel.tasks (poplar/protocols/kernel_time.h,
// kernel_tasks.h): every request with good input and with hostile input, sessions ending in every
// way (closed, garbage, the client killed while the kernel waits for it), and many at once. Every
// test checks that the kernel objects it made are gone again afterwards.
// Spawns the boot module task_child.

#include <poplar/channel.h>
#include <poplar/protocols/kernel_tasks.h>
#include <poplar/protocols/kernel_time.h>
#include <poplar/start.h>
#include <poplar/task.h>
#include <ptah/ptah.h>

#include "kernel_client.h"
#include "object_counts.h"
#include "test.h"

using base::Error;
using base::StringView;
using poplar::Channel;
using poplar::Handle;
using poplar::Task;
using usertest::counts;
using usertest::settled_counts;
namespace abi = poplar::abi;
namespace protocols = poplar::protocols;
namespace sys = poplar::sys;
namespace kernel_time = protocols::kernel_time;
namespace kernel_tasks = protocols::kernel_tasks;
using protocols::KernelTasks;
using protocols::KernelTime;

namespace {

constexpr u64 millisecond = 1'000'000;

base::ErrorOr<Channel> subscribe(StringView name) {
    return Channel(TRY(sys::service_subscribe(name.data(), name.length(), abi::deadline_now)));
}

// One request on `session` and its reply (TimedOut: none came).
base::ErrorOr<KernelTime::Response> time_call(const Channel& session, const KernelTime::Request& request) {
    usertest::KernelClientChannel transport{session};
    ptah::Client<KernelTime, usertest::KernelClientChannel> client(transport);
    return client.call(request);
}

usertest::Arena arena;

// The reply may hold memory from `arena`: read it before the next call.
base::ErrorOr<KernelTasks::Response> tasks_call(const Channel& session, const KernelTasks::Request& request,
                                                u64 timeout = 2000 * millisecond) {
    arena.reset();
    usertest::KernelClientChannel transport{session, timeout};
    ptah::Client<KernelTasks, usertest::KernelClientChannel> client(transport, ptah::DecodeOptions{&arena, {}});
    return client.call(request);
}

template <typename T, typename R>
bool holds(const base::ErrorOr<R>& reply) {
    return reply.is_ok() && reply.value().template is<T>();
}

template <typename R>
u32 refusal_of(const base::ErrorOr<R>& reply) {
    if (!holds<kernel_tasks::Refused>(reply)) return 0;
    return reply.value().template get<kernel_tasks::Refused>().error;
}

u64 now_from(const Channel& session) {
    auto reply = time_call(session, kernel_time::Now{});
    return holds<kernel_time::Time>(reply) ? reply.value().get<kernel_time::Time>().nanoseconds : 0;
}

bool peer_closes(const Channel& session) {
    auto seen = sys::wait_one(session.value(), abi::signals::peer_closed, sys::deadline_after(2000 * millisecond));
    return seen.is_ok() && (seen.value() & abi::signals::peer_closed);
}

// Spawns task_child through kernel.tasks with `arguments`.
base::ErrorOr<Task> spawn_child(const Channel& session, StringView arguments) {
    auto reply = TRY(tasks_call(session, kernel_tasks::Spawn{"task_child", arguments}));
    if (!reply.is<kernel_tasks::Spawned>()) return Error::Internal;
    return Task(reply.get<kernel_tasks::Spawned>().task.value);
}

u64 id_of(const Handle& handle) {
    auto info = handle.info();
    return info.is_ok() ? info.value().object_id : 0;
}

// The counts between tests, taken once this task has its work queue (its first session gives it
// one, which stays): every test leaves them so again.
abi::ObjectCounts baseline;
abi::ObjectCounts quiet_counts() { return settled_counts(baseline); }

// Sends bytes that are no request at all: the session ends, and another one works.
const u8 garbage[] = {0xde, 0xad, 0xbe, 0xef, 0xff, 0xff, 0xff, 0xff, 0x01};

}  // namespace

// kernel.time

USER_TEST(time_now_reads_the_monotonic_clock) {
    auto before = quiet_counts();
    {
        auto session = ASSERT_OK(subscribe("kernel.time"));
        u64 start = sys::clock_read();
        u64 first = now_from(session);
        u64 second = now_from(session);
        u64 end = sys::clock_read();
        EXPECT(start <= first && first <= second && second <= end);
        auto resolution = time_call(session, kernel_time::GetResolution{});
        EXPECT(holds<kernel_time::Resolution>(resolution));
        if (holds<kernel_time::Resolution>(resolution)) {
            u64 step = resolution.value().get<kernel_time::Resolution>().nanoseconds;
            EXPECT(step >= 1 && step <= 1000);
        }
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

// The reply to a request sent earlier (TimedOut: none came in time).
template <typename P>
base::ErrorOr<typename P::Response> receive_reply(const Channel& session, u64 timeout = 2000 * millisecond) {
    static u8 bytes[4096];
    arena.reset();
    usertest::KernelClientChannel transport{session, timeout};
    ptah::TransferredHandle handles[ptah::kMaxHandles];
    auto sizes =
        TRY(transport.receive(base::Bytes(bytes), base::Span<ptah::TransferredHandle>(handles, ptah::kMaxHandles)));
    return ptah::to_system_result(ptah::decode<typename P::Response>(
        base::ReadonlyBytes(bytes, sizes.bytes), base::Span<const ptah::TransferredHandle>(handles, sizes.handles),
        ptah::DecodeOptions{&arena, {}}));
}

template <typename P>
base::ErrorOr<void> send_request(const Channel& session, const typename P::Request& request) {
    usertest::KernelClientChannel transport{session};
    ptah::Client<P, usertest::KernelClientChannel> client(transport);
    return client.send(request);
}

// The session sleeps on the kernel's timers: the client's thread is free meanwhile.
USER_TEST(time_sleep_until_wakes_at_the_deadline_and_not_before) {
    auto before = quiet_counts();
    {
        auto session = ASSERT_OK(subscribe("kernel.time"));
        u64 deadline = sys::clock_read() + 30 * millisecond;
        EXPECT_OK(send_request<KernelTime>(session, kernel_time::SleepUntil{deadline}));
        u8 bytes[64];
        EXPECT_ERROR(session.receive(base::Bytes(bytes), {}, sys::deadline_after(10 * millisecond)), Error::TimedOut);
        auto reply = receive_reply<KernelTime>(session);
        EXPECT(holds<kernel_time::Woke>(reply));
        if (holds<kernel_time::Woke>(reply)) EXPECT(reply.value().get<kernel_time::Woke>().now >= deadline);
        EXPECT(sys::clock_read() >= deadline);
        // A deadline already passed, the earliest there is, wakes at once.
        const u64 past_deadlines[] = {0, sys::clock_read()};
        for (u64 past : past_deadlines) {
            auto woke = time_call(session, kernel_time::SleepUntil{past});
            EXPECT(holds<kernel_time::Woke>(woke));
        }
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

USER_TEST(time_sleep_until_refuses_deadlines_too_far_away) {
    auto before = quiet_counts();
    {
        auto session = ASSERT_OK(subscribe("kernel.time"));
        u64 now = sys::clock_read();
        const u64 deadlines[] = {~u64(0), ~u64(0) - 1, u64(1) << 63,
                                 now + kernel_time::max_sleep_nanoseconds + 1000 * millisecond};
        for (u64 deadline : deadlines) {
            auto reply = time_call(session, kernel_time::SleepUntil{deadline});
            EXPECT(holds<kernel_time::Refused>(reply));
            if (holds<kernel_time::Refused>(reply))
                EXPECT_EQ(reply.value().get<kernel_time::Refused>().reason,
                          static_cast<u8>(kernel_time::Reason::deadline_too_far));
        }
        EXPECT(now_from(session) >= now);  // the session goes on
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

USER_TEST(time_garbage_ends_the_session_and_a_new_one_works) {
    auto before = quiet_counts();
    {
        auto session = ASSERT_OK(subscribe("kernel.time"));
        EXPECT_OK(session.send(base::ReadonlyBytes(garbage, sizeof(garbage))));
        EXPECT(peer_closes(session));
        // A known request with its field cut off is no better.
        const u8 truncated[] = {0x01, 0x00, 0x00, 0x00, 0x05};
        auto second = ASSERT_OK(subscribe("kernel.time"));
        EXPECT_OK(second.send(base::ReadonlyBytes(truncated, sizeof(truncated))));
        EXPECT(peer_closes(second));
        auto again = ASSERT_OK(subscribe("kernel.time"));
        EXPECT(now_from(again) != 0);
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

// A session asleep when its client closes it ends then, not at its deadline.
USER_TEST(time_closing_a_sleeping_session_frees_it_at_once) {
    auto before = quiet_counts();
    {
        auto session = ASSERT_OK(subscribe("kernel.time"));
        EXPECT_OK(
            send_request<KernelTime>(session, kernel_time::SleepUntil{sys::clock_read() + 3'600'000 * millisecond}));
        (void)sys::sleep(sys::deadline_after(5 * millisecond));
    }
    auto now = settled_counts(before, 500 * millisecond);
    EXPECT_COUNTS_EQ(now, before);
}

USER_TEST(time_thirty_two_sessions_sleep_at_once) {
    auto before = quiet_counts();
    {
        constexpr usize session_count = 32;
        Channel sessions[session_count];
        u64 start = sys::clock_read();
        u64 deadlines[session_count];
        for (usize i = 0; i < session_count; ++i) {
            sessions[i] = ASSERT_OK(subscribe("kernel.time"));
            // Deadlines in reverse order of sending: each session keeps its own.
            deadlines[i] = start + (60 - i) * millisecond;
            EXPECT_OK(send_request<KernelTime>(sessions[i], kernel_time::SleepUntil{deadlines[i]}));
        }
        usize woken = 0;
        for (usize i = 0; i < session_count; ++i) {
            auto reply = receive_reply<KernelTime>(sessions[i]);
            if (holds<kernel_time::Woke>(reply) && reply.value().get<kernel_time::Woke>().now >= deadlines[i]) ++woken;
        }
        EXPECT_EQ(woken, session_count);
        // All slept together: far less than the sum of their sleeps.
        EXPECT(sys::clock_read() - start < 1000 * millisecond);
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

USER_TEST(time_work_is_charged_to_the_client) {
    auto session = ASSERT_OK(subscribe("kernel.time"));
    auto start = ASSERT_OK(Task::own_cpu_time());
    for (usize i = 0; i < 50; ++i) EXPECT(now_from(session) != 0);
    auto end = ASSERT_OK(Task::own_cpu_time());
    EXPECT(end.kernel_work_nanoseconds > start.kernel_work_nanoseconds);
}

// kernel.tasks

// List shows this task and the children it spawned through the service, with their parent.
USER_TEST(tasks_list_shows_the_subtree) {
    auto before = quiet_counts();
    {
        auto session = ASSERT_OK(subscribe("kernel.tasks"));
        auto child = ASSERT_OK(spawn_child(session, "sleep"));
        u64 child_id = id_of(child);
        auto reply = tasks_call(session, kernel_tasks::List{0});
        ASSERT_TRUE(holds<kernel_tasks::Page>(reply));
        const auto& page = reply.value().get<kernel_tasks::Page>();
        EXPECT_EQ(page.tasks.size(), 2u);
        EXPECT(!page.more);
        u64 own_id = 0;
        bool child_seen = false;
        for (const auto& task : page.tasks)
            if (task.name == StringView("time_tasks_test")) own_id = task.id;
        for (const auto& task : page.tasks) {
            if (task.id != child_id) continue;
            child_seen = true;
            EXPECT_EQ(task.parent_id, own_id);
            EXPECT(task.name == StringView("task_child"));
            EXPECT_EQ(task.state, static_cast<u8>(kernel_tasks::State::running));
        }
        EXPECT(own_id != 0 && child_seen);
        // This task, which has worked, shows its time; ids ascend.
        for (const auto& task : page.tasks)
            if (task.id == own_id) EXPECT(task.user_nanoseconds > 0 && task.kernel_work_nanoseconds > 0);
        EXPECT(page.tasks[0].id < page.tasks[1].id);
        EXPECT_OK(child.kill());
        EXPECT_EQ(child.wait(sys::deadline_after(2000 * millisecond)).value_or(0), -1);
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

USER_TEST(tasks_list_pages_in_id_order_and_ends) {
    auto before = quiet_counts();
    {
        auto session = ASSERT_OK(subscribe("kernel.tasks"));
        constexpr usize child_count = 20;  // more than a page, within the quota of children
        Task children[child_count];
        for (auto& child : children) child = ASSERT_OK(spawn_child(session, "sleep"));
        u64 after = 0;
        usize seen = 0, pages = 0;
        bool ascending = true, more = true;
        while (more && pages < 10) {
            auto reply = tasks_call(session, kernel_tasks::List{after});
            ASSERT_TRUE(holds<kernel_tasks::Page>(reply));
            const auto& page = reply.value().get<kernel_tasks::Page>();
            EXPECT(page.tasks.size() <= kernel_tasks::max_page_entries);
            for (const auto& task : page.tasks) {
                if (task.id <= after) ascending = false;
                after = task.id;
                ++seen;
            }
            more = page.more;
            ++pages;
        }
        EXPECT(ascending);
        EXPECT_EQ(seen, child_count + 1);
        EXPECT_EQ(pages, 2u);
        // Past the end: an empty page, nothing more.
        auto last = tasks_call(session, kernel_tasks::List{after});
        ASSERT_TRUE(holds<kernel_tasks::Page>(last));
        EXPECT_EQ(last.value().get<kernel_tasks::Page>().tasks.size(), 0u);
        EXPECT(!last.value().get<kernel_tasks::Page>().more);
        auto beyond = tasks_call(session, kernel_tasks::List{~u64(0)});
        EXPECT(holds<kernel_tasks::Page>(beyond) && beyond.value().get<kernel_tasks::Page>().tasks.size() == 0);
        for (auto& child : children) {
            EXPECT_OK(child.kill());
            EXPECT_OK(child.wait(sys::deadline_after(2000 * millisecond)));
        }
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

// Spawn is task_spawn: the child gets the argument text, the handle task_spawn's rights.
USER_TEST(tasks_spawn_starts_a_child_with_its_arguments) {
    auto before = quiet_counts();
    {
        auto session = ASSERT_OK(subscribe("kernel.tasks"));
        auto child = ASSERT_OK(spawn_child(session, "exit 42"));
        auto info = ASSERT_OK(child.info());
        EXPECT_EQ(info.object_type, poplar::ObjectType::Task);
        namespace rights = abi::rights;
        EXPECT_EQ(info.rights, rights::duplicate | rights::transfer | rights::read | rights::wait | rights::manage);
        EXPECT_EQ(child.wait(sys::deadline_after(2000 * millisecond)).value_or(0), 42);
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

USER_TEST(tasks_spawn_refuses_bad_modules_and_arguments) {
    auto before = quiet_counts();
    {
        auto session = ASSERT_OK(subscribe("kernel.tasks"));
        auto tasks_before = counts().tasks;
        EXPECT_EQ(refusal_of(tasks_call(session, kernel_tasks::Spawn{"no_such_module", ""})),
                  static_cast<u32>(Error::NotFound));
        EXPECT_EQ(refusal_of(tasks_call(session, kernel_tasks::Spawn{"", ""})),
                  static_cast<u32>(Error::InvalidArgument));
        char long_name[abi::max_name_bytes];
        for (char& c : long_name) c = 'a';
        EXPECT_EQ(refusal_of(tasks_call(session, kernel_tasks::Spawn{StringView(long_name, sizeof(long_name)), ""})),
                  static_cast<u32>(Error::InvalidArgument));
        char long_arguments[kernel_tasks::max_arguments_bytes + 1];
        for (char& c : long_arguments) c = 'x';
        EXPECT_EQ(refusal_of(tasks_call(
                      session, kernel_tasks::Spawn{"task_child", StringView(long_arguments, sizeof(long_arguments))})),
                  static_cast<u32>(Error::InvalidArgument));
        EXPECT_EQ(counts().tasks, tasks_before);
        // The session goes on: the longest arguments allowed are fine (an unknown command: status 2).
        auto child = ASSERT_OK(spawn_child(session, StringView(long_arguments, sizeof(long_arguments) - 1)));
        EXPECT_EQ(child.wait(sys::deadline_after(2000 * millisecond)).value_or(0), 2);
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

// Spawn counts against the client's own quota of live children (32: resource_account.cpp), as
// task_spawn does: past it, LimitReached and no task.
USER_TEST(tasks_spawn_counts_against_the_clients_quota) {
    auto before = quiet_counts();
    {
        auto session = ASSERT_OK(subscribe("kernel.tasks"));
        constexpr usize limit = 32;
        Task children[limit];
        for (auto& child : children) child = ASSERT_OK(spawn_child(session, "sleep"));
        auto tasks_before = counts().tasks;
        EXPECT_EQ(refusal_of(tasks_call(session, kernel_tasks::Spawn{"task_child", "sleep"})),
                  static_cast<u32>(Error::LimitReached));
        EXPECT_ERROR(Task::spawn("task_child"), Error::LimitReached);  // the same quota
        EXPECT_EQ(counts().tasks, tasks_before);
        EXPECT_OK(children[0].kill());
        EXPECT_OK(children[0].wait(sys::deadline_after(2000 * millisecond)));
        auto again = spawn_child(session, "exit 0");  // room again
        EXPECT_OK(again);
        if (again.is_ok()) EXPECT_OK(again.value().wait(sys::deadline_after(2000 * millisecond)));
        for (auto& child : children) {
            (void)child.kill();
            (void)child.wait(sys::deadline_after(2000 * millisecond));
        }
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

// Kill checks the handle it is sent as task_kill checks its argument.
USER_TEST(tasks_kill_needs_a_task_handle_with_manage) {
    auto before = quiet_counts();
    {
        auto session = ASSERT_OK(subscribe("kernel.tasks"));
        auto child = ASSERT_OK(spawn_child(session, "sleep"));
        // Read-only (and transferable, to go into the message): refused, and the child lives.
        auto read_only = ASSERT_OK(child.duplicate(abi::rights::read | abi::rights::transfer));
        auto refused =
            tasks_call(session, kernel_tasks::Kill{{read_only.release(), static_cast<u32>(poplar::ObjectType::Task)}});
        EXPECT_EQ(refusal_of(refused), static_cast<u32>(Error::AccessDenied));
        EXPECT_ERROR(child.wait(sys::deadline_after(20 * millisecond)), Error::TimedOut);
        // A channel end: refused.
        auto pair = ASSERT_OK(Channel::create());
        auto wrong = tasks_call(
            session, kernel_tasks::Kill{{pair.second.release(), static_cast<u32>(poplar::ObjectType::Channel)}});
        EXPECT_EQ(refusal_of(wrong), static_cast<u32>(Error::WrongType));
        EXPECT_ERROR(child.wait(sys::deadline_after(20 * millisecond)), Error::TimedOut);
        // With manage: killed.
        auto manager = ASSERT_OK(child.duplicate(abi::rights::manage | abi::rights::transfer));
        auto killed =
            tasks_call(session, kernel_tasks::Kill{{manager.release(), static_cast<u32>(poplar::ObjectType::Task)}});
        EXPECT(holds<kernel_tasks::Killed>(killed));
        EXPECT_EQ(child.wait(sys::deadline_after(2000 * millisecond)).value_or(0), -1);
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

USER_TEST(tasks_watch_exits_sees_a_child_exit_with_its_status) {
    auto before = quiet_counts();
    {
        auto session = ASSERT_OK(subscribe("kernel.tasks"));
        auto page = tasks_call(session, kernel_tasks::List{0});
        ASSERT_TRUE(holds<kernel_tasks::Page>(page));
        u64 sequence = page.value().get<kernel_tasks::Page>().exit_sequence;
        // The watch is in place before the child exists.
        EXPECT_OK(send_request<KernelTasks>(session, kernel_tasks::WatchExits{sequence}));
        auto watcher = ASSERT_OK(subscribe("kernel.tasks"));
        auto child = ASSERT_OK(spawn_child(watcher, "exit 7"));
        u64 child_id = id_of(child);
        auto reply = receive_reply<KernelTasks>(session);
        ASSERT_TRUE(holds<kernel_tasks::Exits>(reply));
        const auto& exits = reply.value().get<kernel_tasks::Exits>();
        ASSERT_TRUE(exits.exits.size() == 1);
        EXPECT_EQ(exits.exits[0].id, child_id);
        EXPECT_EQ(exits.exits[0].status, 7);
        EXPECT(exits.exits[0].name == StringView("task_child"));
        EXPECT(exits.exits[0].sequence > sequence);
        EXPECT_EQ(exits.up_to, exits.exits[0].sequence);
        // A sequence from the future is refused; the session goes on.
        EXPECT_EQ(refusal_of(tasks_call(session, kernel_tasks::WatchExits{exits.up_to + 1000})),
                  static_cast<u32>(Error::InvalidArgument));
        EXPECT(holds<kernel_tasks::Page>(tasks_call(session, kernel_tasks::List{0})));
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

// The kernel keeps the last 64 exits: a watcher further behind is told to resync.
USER_TEST(tasks_watch_exits_too_far_behind_resyncs) {
    auto before = quiet_counts();
    {
        auto session = ASSERT_OK(subscribe("kernel.tasks"));
        auto page = tasks_call(session, kernel_tasks::List{0});
        ASSERT_TRUE(holds<kernel_tasks::Page>(page));
        u64 sequence = page.value().get<kernel_tasks::Page>().exit_sequence;
        for (usize i = 0; i < 70; ++i) {
            auto child = ASSERT_OK(spawn_child(session, "exit 0"));
            EXPECT_OK(child.wait(sys::deadline_after(2000 * millisecond)));
        }
        auto reply = tasks_call(session, kernel_tasks::WatchExits{sequence});
        ASSERT_TRUE(holds<kernel_tasks::Resync>(reply));
        u64 latest = reply.value().get<kernel_tasks::Resync>().exit_sequence;
        EXPECT(latest >= sequence + 70);
        // Watching from the newest works.
        EXPECT_OK(send_request<KernelTasks>(session, kernel_tasks::WatchExits{latest}));
        auto child = ASSERT_OK(spawn_child(ASSERT_OK(subscribe("kernel.tasks")), "exit 3"));
        auto exits = receive_reply<KernelTasks>(session);
        EXPECT(holds<kernel_tasks::Exits>(exits) && exits.value().get<kernel_tasks::Exits>().exits.size() == 1);
        (void)child.wait(sys::deadline_after(2000 * millisecond));
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

USER_TEST(tasks_garbage_ends_the_session_and_a_new_one_works) {
    auto before = quiet_counts();
    {
        auto session = ASSERT_OK(subscribe("kernel.tasks"));
        EXPECT_OK(session.send(base::ReadonlyBytes(garbage, sizeof(garbage))));
        EXPECT(peer_closes(session));
        // A Kill whose handle field names no handle of the message.
        const u8 kill_without_handle[] = {0x02, 0x00, 0x00, 0x00, 0xf0};
        auto second = ASSERT_OK(subscribe("kernel.tasks"));
        EXPECT_OK(second.send(base::ReadonlyBytes(kill_without_handle, sizeof(kill_without_handle))));
        EXPECT(peer_closes(second));
        auto again = ASSERT_OK(subscribe("kernel.tasks"));
        EXPECT(holds<kernel_tasks::Page>(tasks_call(again, kernel_tasks::List{0})));
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

// A watch ends when its client closes the session.
USER_TEST(tasks_closing_a_watching_session_frees_it) {
    auto before = quiet_counts();
    {
        auto session = ASSERT_OK(subscribe("kernel.tasks"));
        auto page = tasks_call(session, kernel_tasks::List{0});
        ASSERT_TRUE(holds<kernel_tasks::Page>(page));
        EXPECT_OK(send_request<KernelTasks>(
            session, kernel_tasks::WatchExits{page.value().get<kernel_tasks::Page>().exit_sequence}));
        (void)sys::sleep(sys::deadline_after(5 * millisecond));
    }
    auto now = settled_counts(before, 500 * millisecond);
    EXPECT_COUNTS_EQ(now, before);
}

// A client killed while the kernel waits for it (a SleepUntil, a WatchExits): its sessions'
// coroutines are cancelled with its work queue, and everything it had is freed.
USER_TEST(a_client_killed_while_the_kernel_waits_for_it_leaves_nothing) {
    auto before = quiet_counts();
    {
        auto session = ASSERT_OK(subscribe("kernel.tasks"));
        auto child = ASSERT_OK(spawn_child(session, "wait_in_kernel"));
        u64 child_id = id_of(child);
        // Until its sessions have worked for it (then both requests are in the kernel).
        bool waiting = false;
        for (u64 end = sys::clock_read() + 2000 * millisecond; !waiting && sys::clock_read() < end;) {
            (void)sys::sleep(sys::deadline_after(5 * millisecond));
            auto reply = tasks_call(session, kernel_tasks::List{0});
            if (!holds<kernel_tasks::Page>(reply)) break;
            for (const auto& task : reply.value().get<kernel_tasks::Page>().tasks)
                if (task.id == child_id && task.kernel_work_nanoseconds > 0) waiting = true;
        }
        EXPECT(waiting);
        (void)sys::sleep(sys::deadline_after(20 * millisecond));
        EXPECT_ERROR(child.wait(sys::deadline_after(millisecond)), Error::TimedOut);  // still there, waiting
        EXPECT_OK(child.kill());
        EXPECT_EQ(child.wait(sys::deadline_after(2000 * millisecond)).value_or(0), -1);
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

int main(const abi::StartInfo& info) {
    {
        auto first = subscribe("kernel.time");
        if (first.is_ok()) (void)now_from(first.value());
    }
    // Until the first session's kernel end is gone too.
    (void)sys::sleep(sys::deadline_after(20 * millisecond));
    baseline = counts();
    return usertest::run_all_tests(info.name);
}
