// Kernel -> user through the supervisor (docs/services.md): this program plays init.supervisor
// (init provides none for it) and checks what the kernel asks when a child faults and what it
// does with each answer: Restart (and the limit), Release, garbage, silence past the deadline, a
// supervisor that dies mid-call, and no supervisor at all. The kernel's log says which default
// applied (checked by tests/qemu: qemu.user.supervisor). Needs faulty, faulty_always and
// dying_supervisor.

#include <poplar/channel.h>
#include <poplar/service_scope.h>
#include <poplar/start.h>
#include <poplar/start_argument.h>
#include <poplar/task.h>

#include "../init/supervisor.h"
#include "object_counts.h"
#include "test.h"

using base::Error;
using base::StringView;
using poplar::Channel;
using poplar::Task;
using usertest::counts;
using usertest::settled_counts;
namespace abi = poplar::abi;
namespace sys = poplar::sys;
namespace signals = poplar::abi::signals;
namespace protocol = poplar::protocols::supervisor;
using poplar::protocols::Supervisor;

namespace {

constexpr u64 millisecond = 1'000'000;
constexpr i64 page_fault_status = -1014;
supervision::Request request;  // large: not on the stack

u64 object_id(const poplar::Handle& handle) { return sys::handle_info(handle.value()).value().object_id; }

// The kernel's session, opened once the child has ended.
base::ErrorOr<Channel> next_session(const Channel& registration, u64 patience = 1000 * millisecond) {
    return supervision::accept(registration, sys::deadline_after(patience));
}

// Spawns `module`, waits for it to fault, and takes the kernel's question about it.
struct Faulted {
    Task task;
    Channel session;
};
base::ErrorOr<Faulted> fault_and_ask(const Channel& registration, StringView module, i64 status = page_fault_status) {
    Faulted faulted{TRY(Task::spawn(module)), {}};
    if (TRY(faulted.task.wait(sys::deadline_after(1000 * millisecond))) != status) return Error::InvalidArgument;
    faulted.session = TRY(next_session(registration));
    TRY(supervision::receive(faulted.session, request, sys::deadline_after(1000 * millisecond)));
    return faulted;
}

// Whether the kernel ended the session (peer_closed) within `patience`.
bool session_ends(const Channel& session, u64 patience = 1000 * millisecond) {
    auto seen = sys::wait_one(session.value(), signals::peer_closed, sys::deadline_after(patience));
    return seen.is_ok();
}

// Nothing more comes: no new session (no restart to report, no further question).
bool no_more_sessions(const Channel& registration) {
    return next_session(registration, 200 * millisecond).failed_with(Error::TimedOut);
}

}  // namespace

USER_TEST(the_kernel_asks_with_what_it_knows_and_restart_starts_the_program_again) {
    auto before = counts();
    {
        auto registration = ASSERT_OK(supervision::register_supervisor());
        auto faulted = ASSERT_OK(fault_and_ask(registration, "faulty"));
        const auto* fault = request.value.get_if<protocol::TaskFaulted>();
        ASSERT_TRUE(fault != nullptr);
        EXPECT_EQ(fault->task_id, object_id(faulted.task));
        EXPECT(fault->name == "faulty");
        EXPECT(fault->module == "faulty");
        EXPECT(fault->arguments.is_empty());
        EXPECT_EQ(fault->vector, 14);
        EXPECT_EQ(fault->fault_address, 0u);
        EXPECT_EQ(fault->error_code & 2, 2u);  // a write
        EXPECT(fault->instruction_pointer != 0);
        EXPECT(fault->stack_pointer != 0);
        EXPECT_EQ(fault->exit_status, page_fault_status);
        EXPECT_EQ(fault->restarts, 0u);
        ASSERT_OK(supervision::reply(faulted.session, protocol::Restart{}));

        ASSERT_OK(supervision::receive(faulted.session, request, sys::deadline_after(1000 * millisecond)));
        const auto* restarted = request.value.get_if<protocol::TaskRestarted>();
        ASSERT_TRUE(restarted != nullptr);
        EXPECT_EQ(restarted->old_task_id, object_id(faulted.task));
        EXPECT(object_id(request.task) != object_id(faulted.task));
        ASSERT_OK(supervision::reply(faulted.session, protocol::Noted{}));
        Task again = base::move(request.task);
        EXPECT_EQ(again.wait(sys::deadline_after(1000 * millisecond)).value_or(-1), 0);  // its second run
        EXPECT(session_ends(faulted.session));
        EXPECT(no_more_sessions(registration));
    }
    EXPECT_COUNTS_EQ(settled_counts(before), before);
}

USER_TEST(restarts_stop_at_the_kernels_limit) {
    auto before = counts();
    {
        auto registration = ASSERT_OK(supervision::register_supervisor());
        Task task = ASSERT_OK(Task::spawn("faulty_always"));
        for (u32 asked = 0; asked < protocol::max_restarts; ++asked) {
            EXPECT_EQ(task.wait(sys::deadline_after(1000 * millisecond)).value_or(0), page_fault_status);
            auto session = ASSERT_OK(next_session(registration));
            ASSERT_OK(supervision::receive(session, request, sys::deadline_after(1000 * millisecond)));
            const auto* fault = request.value.get_if<protocol::TaskFaulted>();
            ASSERT_TRUE(fault != nullptr);
            EXPECT_EQ(fault->restarts, asked);
            ASSERT_OK(supervision::reply(session, protocol::Restart{}));
            ASSERT_OK(supervision::receive(session, request, sys::deadline_after(1000 * millisecond)));
            ASSERT_TRUE(request.value.is<protocol::TaskRestarted>());
            ASSERT_OK(supervision::reply(session, protocol::Noted{}));
            task = base::move(request.task);
        }
        // The last restart faults too, and the kernel lets it go without asking.
        EXPECT_EQ(task.wait(sys::deadline_after(1000 * millisecond)).value_or(0), page_fault_status);
        EXPECT(no_more_sessions(registration));
    }
    EXPECT_COUNTS_EQ(settled_counts(before), before);
}

// An abnormal exit (task_exit with a status other than 0) is asked about too, as TaskExited.
USER_TEST(an_abnormal_exit_is_asked_about_and_restart_starts_the_program_again) {
    auto before = counts();
    {
        auto registration = ASSERT_OK(supervision::register_supervisor());
        auto failed = ASSERT_OK(fault_and_ask(registration, "failing", 3));
        const auto* exit = request.value.get_if<protocol::TaskExited>();
        ASSERT_TRUE(exit != nullptr);
        EXPECT_EQ(exit->task_id, object_id(failed.task));
        EXPECT(exit->name == "failing");
        EXPECT_EQ(exit->exit_status, 3);
        EXPECT_EQ(exit->restarts, 0u);
        ASSERT_OK(supervision::reply(failed.session, protocol::Restart{}));
        ASSERT_OK(supervision::receive(failed.session, request, sys::deadline_after(1000 * millisecond)));
        ASSERT_TRUE(request.value.is<protocol::TaskRestarted>());
        ASSERT_OK(supervision::reply(failed.session, protocol::Noted{}));
        Task again = base::move(request.task);
        EXPECT_EQ(again.wait(sys::deadline_after(1000 * millisecond)).value_or(-1), 0);  // its second run
        EXPECT(no_more_sessions(registration));  // an exit with 0 is nobody's business
    }
    EXPECT_COUNTS_EQ(settled_counts(before), before);
}

USER_TEST(release_lets_the_task_go) {
    auto before = counts();
    {
        auto registration = ASSERT_OK(supervision::register_supervisor());
        auto faulted = ASSERT_OK(fault_and_ask(registration, "faulty"));
        ASSERT_TRUE(request.value.is<protocol::TaskFaulted>());
        ASSERT_OK(supervision::reply(faulted.session, protocol::Release{}));
        EXPECT(session_ends(faulted.session));
        EXPECT(no_more_sessions(registration));
    }
    EXPECT_COUNTS_EQ(settled_counts(before), before);
}

USER_TEST(a_reply_that_does_not_decode_ends_the_session_and_the_task_goes) {
    auto before = counts();
    {
        auto registration = ASSERT_OK(supervision::register_supervisor());
        auto faulted = ASSERT_OK(fault_and_ask(registration, "faulty"));
        const u8 garbage[] = {0xff, 0xff, 0xff, 0xff, 0x13, 0x37};
        ASSERT_OK(faulted.session.send(base::ReadonlyBytes(garbage, sizeof(garbage))));
        EXPECT(session_ends(faulted.session));
        EXPECT(no_more_sessions(registration));
    }
    EXPECT_COUNTS_EQ(settled_counts(before), before);
}

USER_TEST(an_answer_to_another_question_is_garbage_too) {
    auto before = counts();
    {
        auto registration = ASSERT_OK(supervision::register_supervisor());
        auto faulted = ASSERT_OK(fault_and_ask(registration, "faulty"));
        ASSERT_OK(supervision::reply(faulted.session, protocol::Noted{}));
        EXPECT(session_ends(faulted.session));
        EXPECT(no_more_sessions(registration));
    }
    EXPECT_COUNTS_EQ(settled_counts(before), before);
}

USER_TEST(a_supervisor_that_stalls_is_given_up_at_the_deadline) {
    auto before = counts();
    {
        auto registration = ASSERT_OK(supervision::register_supervisor());
        auto faulted = ASSERT_OK(fault_and_ask(registration, "faulty"));
        u64 asked = sys::clock_read();
        EXPECT(session_ends(faulted.session, 3 * protocol::reply_deadline_nanoseconds));
        u64 waited = sys::clock_read() - asked;
        EXPECT(waited >= protocol::reply_deadline_nanoseconds - 50 * millisecond);
        // Too late: the kernel has gone, and nothing was restarted.
        EXPECT_ERROR(supervision::reply(faulted.session, protocol::Restart{}), Error::PeerClosed);
        EXPECT(no_more_sessions(registration));
    }
    EXPECT_COUNTS_EQ(settled_counts(before), before);
}

USER_TEST(a_restart_goes_ahead_when_the_supervisor_does_not_note_it) {
    auto before = counts();
    {
        auto registration = ASSERT_OK(supervision::register_supervisor());
        auto faulted = ASSERT_OK(fault_and_ask(registration, "faulty"));
        ASSERT_OK(supervision::reply(faulted.session, protocol::Restart{}));
        // No Noted: the kernel gives up on the announcement at its deadline...
        EXPECT(session_ends(faulted.session, 3 * protocol::reply_deadline_nanoseconds));
        // ...which is still queued for us, with the new task, which ran all the same.
        ASSERT_OK(supervision::receive(faulted.session, request, abi::deadline_now));
        ASSERT_TRUE(request.value.is<protocol::TaskRestarted>());
        Task again = base::move(request.task);
        EXPECT_EQ(again.wait(sys::deadline_after(1000 * millisecond)).value_or(-1), 0);
        EXPECT(no_more_sessions(registration));
    }
    EXPECT_COUNTS_EQ(settled_counts(before), before);
}

namespace {

// dying_supervisor given `mode`, once it says it has registered.
base::ErrorOr<Task> start_dying_supervisor(StringView mode) {
    auto started = TRY(poplar::spawn_with_argument("dying_supervisor", mode, TRY(poplar::duplicate_service_scope())));
    u8 ready = 1;
    auto sizes = TRY(started.channel.receive(base::Bytes(&ready, 1), {}, sys::deadline_after(1000 * millisecond)));
    if (sizes.bytes != 1 || ready != 0) return Error::BadState;
    return base::move(started.task);
}

}  // namespace

USER_TEST(a_supervisor_that_dies_mid_call_leaves_the_kernel_fine) {
    auto before = counts();
    {
        Task supervisor = ASSERT_OK(start_dying_supervisor(""));
        // Its child `faulty` faults; it took the question and died with it unanswered.
        EXPECT_EQ(supervisor.wait(sys::deadline_after(2000 * millisecond)).value_or(-1), 0);
    }
    EXPECT_COUNTS_EQ(settled_counts(before), before);
}

// Anyone may register the name, but only an ancestor of a task is asked about it (and could get
// a manage handle to its restart): a sibling's fault stays the sibling's parent's business.
USER_TEST(a_supervisor_that_is_not_an_ancestor_is_not_asked) {
    auto before = counts();
    {
        Task supervisor = ASSERT_OK(start_dying_supervisor("sibling"));
        Task faulty = ASSERT_OK(Task::spawn("faulty"));  // the supervisor's sibling
        EXPECT_EQ(faulty.wait(sys::deadline_after(1000 * millisecond)).value_or(0), page_fault_status);
        // Not asked: still waiting for a session well past the kernel's 500 ms for a reply.
        EXPECT_ERROR(supervisor.wait(sys::deadline_after(700 * millisecond)), Error::TimedOut);
        EXPECT_OK(supervisor.kill());
        EXPECT_OK(supervisor.wait(sys::deadline_after(1000 * millisecond)));
    }
    EXPECT_COUNTS_EQ(settled_counts(before), before);
}

// init's supervisor (and every user of supervision::accept) takes sessions from the kernel only:
// a task subscribing to it could otherwise answer for the kernel.
USER_TEST(a_supervisor_refuses_sessions_from_user_tasks) {
    auto before = counts();
    {
        auto registration = ASSERT_OK(supervision::register_supervisor());
        auto session = ASSERT_OK(poplar::subscribe(Supervisor::name, abi::deadline_now));
        EXPECT_ERROR(supervision::accept(registration, sys::deadline_after(1000 * millisecond)), Error::AccessDenied);
        EXPECT(session_ends(session));  // the provider's end went with the refusal
    }
    EXPECT_COUNTS_EQ(settled_counts(before), before);
}

USER_TEST(with_no_supervisor_the_task_goes) {
    auto before = counts();
    {
        Task faulty = ASSERT_OK(Task::spawn("faulty"));
        EXPECT_EQ(faulty.wait(sys::deadline_after(1000 * millisecond)).value_or(0), page_fault_status);
    }
    EXPECT_COUNTS_EQ(settled_counts(before), before);
}

int main(const abi::StartInfo&) { return usertest::run_all_tests("supervisor_test"); }
