// Tasks with real children: spawning with handles, exit statuses, faults, kill, peer_closed when
// a child dies, and object counts back to their baseline once the children are gone.
// Needs the boot modules child_echo and fault_* (see user/CMakeLists.txt).

#include <poplar/channel.h>
#include <poplar/event.h>
#include <poplar/start.h>
#include <poplar/task.h>

#include "object_counts.h"
#include "test.h"

using base::Error;
using base::StringView;
using poplar::Channel;
using poplar::Handle;
using poplar::HandleValue;
using poplar::Task;
using usertest::counts;
using usertest::settled_counts;
namespace abi = poplar::abi;
namespace sys = poplar::sys;
namespace signals = poplar::abi::signals;
namespace rights = poplar::abi::rights;

namespace {

constexpr u64 millisecond = 1'000'000;
abi::ObjectCounts baseline;

base::ReadonlyBytes bytes_of(StringView text) {
    return base::ReadonlyBytes(reinterpret_cast<const u8*>(text.data()), text.length());
}

StringView text_of(const u8* buffer, u64 length) { return StringView(reinterpret_cast<const char*>(buffer), length); }

struct Child {
    Task task;
    Channel channel;
};

// Starts child_echo with one end of a new channel (and `extra` handles after it).
base::ErrorOr<Child> spawn_echo(base::Span<Handle> extra = {}) {
    auto pair = TRY(Channel::create());
    Handle handles[abi::StartInfo::max_handles];
    handles[0] = base::move(pair.second);
    for (usize i = 0; i < extra.size(); ++i) handles[i + 1] = base::move(extra[i]);
    auto task = Task::spawn("child_echo", base::Span<Handle>(handles, extra.size() + 1));
    if (task.is_error()) {
        for (usize i = 0; i < extra.size(); ++i) extra[i] = base::move(handles[i + 1]);
        return task.error();
    }
    return Child{task.release_value(), base::move(pair.first)};
}

i64 run_to_end(StringView module) {
    auto task = Task::spawn(module);
    if (task.is_error()) return -999999;
    auto status = task.value().wait(sys::deadline_after(10'000 * millisecond));
    return status.is_ok() ? status.value() : -888888;
}

USER_TEST(spawn_of_a_missing_module_gives_not_found) {
    auto event = ASSERT_OK(poplar::Event::create());
    Handle handles[1] = {base::move(event)};
    EXPECT_ERROR(Task::spawn("no_such_module", base::Span<Handle>(handles)), Error::NotFound);
    EXPECT(handles[0].is_valid());
    EXPECT_OK(handles[0].info());
}

USER_TEST(child_receives_its_handles_and_echoes) {
    auto first = ASSERT_OK(poplar::Event::create());
    auto second = ASSERT_OK(poplar::Event::create());
    u64 first_id = ASSERT_OK(first.info()).object_id;
    u64 second_id = ASSERT_OK(second.info()).object_id;
    HandleValue first_value = first.value();
    Handle extra[2] = {base::move(first), base::move(second)};
    auto child = ASSERT_OK(spawn_echo(base::Span<Handle>(extra)));
    // Moved: gone from our table.
    EXPECT_ERROR(sys::handle_info(first_value), Error::BadHandle);
    EXPECT(!extra[0].is_valid());

    u8 reply[256] = {};
    Handle reply_handles[4];
    auto sizes =
        ASSERT_OK(child.channel.call(bytes_of("!info"), {}, base::Bytes(reply), base::Span<Handle>(reply_handles)));
    EXPECT(text_of(reply, sizes.bytes) == "handles=3 name=child_echo");
    EXPECT_EQ(sizes.handles, 2ull);
    EXPECT_EQ(ASSERT_OK(reply_handles[0].info()).object_id, first_id);
    EXPECT_EQ(ASSERT_OK(reply_handles[1].info()).object_id, second_id);

    const u8 small[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    sizes = ASSERT_OK(child.channel.call(base::ReadonlyBytes(small), {}, base::Bytes(reply)));
    EXPECT_EQ(sizes.bytes, 16ull);
    EXPECT_EQ(__builtin_memcmp(reply, small, 16), 0);

    // A handle goes to the child and comes back as a new value for the same object.
    Handle sent[1] = {base::move(reply_handles[0])};
    sizes = ASSERT_OK(child.channel.call(bytes_of("handle"), base::Span<Handle>(sent), base::Bytes(reply),
                                         base::Span<Handle>(reply_handles)));
    EXPECT_EQ(sizes.handles, 1ull);
    EXPECT(!sent[0].is_valid());
    EXPECT_EQ(ASSERT_OK(reply_handles[0].info()).object_id, first_id);

    EXPECT_OK(child.channel.send(bytes_of("!exit 0")));
    EXPECT_EQ(ASSERT_OK(child.task.wait(sys::deadline_after(5000 * millisecond))), 0);
}

USER_TEST(task_wait_returns_the_exit_status) {
    const struct {
        const char* command;
        i64 status;
    } cases[] = {{"!exit 42", 42}, {"!exit -7", -7}, {"!exit 2147483647", 2147483647}};
    for (auto& c : cases) {
        auto child = ASSERT_OK(spawn_echo());
        EXPECT_ERROR(child.task.wait(abi::deadline_now), Error::ShouldWait);
        EXPECT_ERROR(child.task.wait(sys::deadline_after(10 * millisecond)), Error::TimedOut);
        EXPECT_OK(child.channel.send(bytes_of(c.command)));
        EXPECT_EQ(ASSERT_OK(child.task.wait()), c.status);
        // The status stays readable, and the terminated signal stays raised.
        EXPECT_EQ(ASSERT_OK(child.task.wait(abi::deadline_now)), c.status);
        EXPECT_OK(sys::wait_one(child.task.value(), signals::terminated, abi::deadline_now));
        // The child's end died with it.
        u32 observed = ASSERT_OK(child.channel.wait(signals::peer_closed, sys::deadline_after(1000 * millisecond)));
        EXPECT(observed & signals::peer_closed);
        u8 byte = 0;
        EXPECT_ERROR(child.channel.send(base::ReadonlyBytes(&byte, 1)), Error::PeerClosed);
    }
}

USER_TEST(child_exits_when_its_channel_closes) {
    auto child = ASSERT_OK(spawn_echo());
    child.channel.reset();
    EXPECT_EQ(ASSERT_OK(child.task.wait(sys::deadline_after(5000 * millisecond))), 0);
}

USER_TEST(kill_ends_a_task_blocked_in_receive) {
    auto child = ASSERT_OK(spawn_echo());
    // Make sure it has started and is blocked in receive.
    u8 reply[16];
    ASSERT_OK(child.channel.call(bytes_of("ping"), {}, base::Bytes(reply)));
    EXPECT_ERROR(child.task.wait(abi::deadline_now), Error::ShouldWait);
    auto no_manage = ASSERT_OK(child.task.duplicate(rights::wait));
    EXPECT_ERROR(sys::task_kill(no_manage.value()), Error::AccessDenied);
    auto no_wait = ASSERT_OK(child.task.duplicate(rights::manage));
    EXPECT_ERROR(sys::task_wait(no_wait.value(), abi::deadline_now), Error::AccessDenied);

    EXPECT_OK(child.task.kill());
    EXPECT_EQ(ASSERT_OK(child.task.wait(sys::deadline_after(5000 * millisecond))), -1);
    u32 observed = ASSERT_OK(child.channel.wait(signals::peer_closed, sys::deadline_after(1000 * millisecond)));
    EXPECT(observed & signals::peer_closed);
}

USER_TEST(child_cpu_time_is_counted) {
    auto child = ASSERT_OK(spawn_echo());
    u8 reply[16];
    ASSERT_OK(child.channel.call(bytes_of("!spin"), {}, base::Bytes(reply)));
    auto time = ASSERT_OK(child.task.cpu_time());
    EXPECT(time.user_nanoseconds >= 10 * millisecond);
    EXPECT(time.kernel_nanoseconds > 0);
    child.channel.reset();
    EXPECT_EQ(ASSERT_OK(child.task.wait()), 0);
    // Still readable after the end.
    auto final_time = ASSERT_OK(child.task.cpu_time());
    EXPECT(final_time.user_nanoseconds >= time.user_nanoseconds);
}

USER_TEST(faults_end_the_task_with_their_status) {
    EXPECT_EQ(run_to_end("fault_kernel_write"), -1014);
    EXPECT_EQ(run_to_end("fault_text_write"), -1014);
    EXPECT_EQ(run_to_end("fault_jump"), -1013);
    EXPECT_EQ(run_to_end("fault_divide"), -1000);
    EXPECT_EQ(run_to_end("fault_invalid_opcode"), -1006);
}

USER_TEST(a_dying_child_destroys_its_queued_handles) {
    auto child = ASSERT_OK(spawn_echo());
    auto event = ASSERT_OK(poplar::Event::create());
    Handle sent[1] = {base::move(event)};
    // The child echoes the event back; the second message with a handle stays queued in its
    // receive queue when it dies, and must be destroyed with it.
    u8 reply[16];
    Handle reply_handles[1];
    ASSERT_OK(child.channel.call(bytes_of("x"), base::Span<Handle>(sent), base::Bytes(reply),
                                 base::Span<Handle>(reply_handles)));
    auto events_before = counts().events;
    EXPECT_OK(child.channel.send(bytes_of("!exit 5"), base::Span<Handle>(reply_handles)));
    EXPECT_EQ(ASSERT_OK(child.task.wait()), 5);
    auto now = counts();
    EXPECT_EQ(now.events, events_before - 1);
}

USER_TEST(spawn_failures_keep_every_handle) {
    auto event = ASSERT_OK(poplar::Event::create());
    auto pair = ASSERT_OK(Channel::create());
    HandleValue values[] = {event.value(), pair.first.value(), 0xdeadbeef};
    const char module[] = "child_echo";
    EXPECT_ERROR(sys::task_spawn(module, sizeof(module) - 1, values, 3), Error::BadHandle);
    HandleValue twice[] = {event.value(), event.value()};
    EXPECT_ERROR(sys::task_spawn(module, sizeof(module) - 1, twice, 2), Error::InvalidArgument);
    auto no_transfer = ASSERT_OK(event.duplicate(rights::wait));
    HandleValue denied[] = {pair.first.value(), no_transfer.value()};
    EXPECT_ERROR(sys::task_spawn(module, sizeof(module) - 1, denied, 2), Error::AccessDenied);
    EXPECT_OK(event.info());
    EXPECT_OK(pair.first.info());
    EXPECT_OK(no_transfer.info());
}

// Starts a memory_hog and waits until it holds all the memory it can get.
base::ErrorOr<Task> start_hog() {
    auto full = TRY(poplar::Event::create());
    Handle for_hog[1] = {TRY(full.duplicate(rights::signal | rights::transfer))};
    auto hog = TRY(Task::spawn("memory_hog", base::Span<Handle>(for_hog)));
    TRY(full.wait(signals::signaled, sys::deadline_after(20'000 * millisecond)));
    return hog;
}

USER_TEST(running_out_of_memory_gives_errors_and_the_system_recovers) {
    // A task may hold only part of the memory (its quota): hogs take every frame there is between
    // them, then this task asks the kernel for more.
    constexpr usize max_hogs = 16;
    static Task hogs[max_hogs];
    usize hog_count = 0;
    base::Error last = Error::InvalidArgument;
    while (hog_count < max_hogs) {
        auto probe = sys::memory_object_create(1 << 20, abi::memory_flags::writable);
        if (probe.is_error()) {
            last = probe.error();
            break;
        }
        EXPECT_OK(sys::handle_close(probe.value()));
        auto hog = start_hog();
        if (hog.is_error()) {
            last = hog.error();
            break;
        }
        hogs[hog_count++] = hog.release_value();
    }
    EXPECT_EQ(last, Error::NoMemory);
    EXPECT(hog_count >= 2);
    // With memory gone, calls that need it fail cleanly (or succeed from what caches hold).
    auto spawned = spawn_echo();
    if (spawned.is_ok()) EXPECT(spawned.value().task.kill().is_ok());
    if (spawned.is_error()) EXPECT_EQ(spawned.error(), Error::NoMemory);
    auto events = sys::event_create();
    if (events.is_error()) EXPECT_EQ(events.error(), Error::NoMemory);
    if (events.is_ok()) EXPECT_OK(sys::handle_close(events.value()));
    for (usize i = 0; i < hog_count; ++i) {
        EXPECT_OK(hogs[i].kill());
        EXPECT_OK(hogs[i].wait(sys::deadline_after(5000 * millisecond)));
        hogs[i] = {};
    }
    // And afterwards everything works again.
    auto child = ASSERT_OK(spawn_echo());
    u8 reply[16] = {};
    auto sizes = ASSERT_OK(child.channel.call(bytes_of("again"), {}, base::Bytes(reply)));
    EXPECT(text_of(reply, sizes.bytes) == "again");
}

USER_TEST(object_counts_return_to_baseline_after_children) {
    auto now = settled_counts(baseline);
    EXPECT_COUNTS_EQ(now, baseline);
    // One more round with a faulting child and a killed one.
    EXPECT_EQ(run_to_end("fault_divide"), -1000);
    {
        auto child = ASSERT_OK(spawn_echo());
        EXPECT_OK(child.task.kill());
        EXPECT_EQ(ASSERT_OK(child.task.wait()), -1);
    }
    now = settled_counts(baseline);
    EXPECT_COUNTS_EQ(now, baseline);
}

}  // namespace

int main(const abi::StartInfo&) {
    baseline = counts();
    return usertest::run_all_tests("spawn_test");
}
