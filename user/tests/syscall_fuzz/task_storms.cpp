// family::tasks: children spawned in bursts from the worker module, in every role: ones that
// exit at once (some before reading anything), ones that fault in a dozen ways, and victims
// that make hostile and blocking calls until they are killed, often mid-call. Each child's end
// is checked against what its role allows.

#include "arena.h"
#include "raw_call.h"
#include "steps.h"

namespace fuzz {

namespace {

constexpr usize max_children = 6;
constexpr u64 victim_calls = 2000;
// How long a killed child may take to end (teardown runs on its own, possibly small, CPU share).
constexpr u64 kill_deadline = 5'000'000'000;

enum class ChildRole { no_orders, exit_now, fault, victim };

struct Child {
    HandleValue task = 0;
    HandleValue control = 0;  // victims only: closing it tells them to stop
    ChildRole role = ChildRole::no_orders;
    FaultKind fault = FaultKind::kernel_write;
    i64 exit_status = 0;
};

Child children[max_children];
usize child_count = 0;

bool status_allowed(const Child& child, i64 status) {
    if (status == -1) return true;  // killed first
    switch (child.role) {
        case ChildRole::no_orders:
            return status == status_no_orders;
        case ChildRole::exit_now:
            return status == child.exit_status;
        case ChildRole::fault:
            return fault_status_expected(child.fault, status);
        case ChildRole::victim:
            return status == 0;
    }
    return false;
}

void close_child(Fuzzer& f, usize index) {
    Child& child = children[index];
    f.call(Syscall::handle_close, child.task);
    f.release(child.task);
    if (child.control) {
        f.call(Syscall::handle_close, child.control);
        f.release(child.control);
    }
    children[index] = children[--child_count];
}

// Waits for child `index` until `deadline`; once it has ended, checks its status and lets it go.
// False if it is still running.
bool reap(Fuzzer& f, usize index, u64 deadline) {
    auto result = f.call(Syscall::task_wait, children[index].task, deadline);
    if (!result.is_ok()) {
        if (deadline != abi::deadline_now && deadline != 1)
            f.fail("a killed child ends within five seconds", u64(Syscall::task_wait), result.status,
                   u64(children[index].role));
        return false;
    }
    if (!status_allowed(children[index], static_cast<i64>(result.value)))
        f.fail("a child ends with a status its role allows", u64(Syscall::task_wait), result.value,
               u64(children[index].role) << 32 | u64(children[index].fault));
    close_child(f, index);
    return true;
}

bool kill_and_reap(Fuzzer& f, usize index) {
    f.call(Syscall::task_kill, children[index].task);
    return reap(f, index, sys::clock_read() + kill_deadline);
}

bool spawn(Fuzzer& f, ChildRole role) {
    if (child_count == max_children && !kill_and_reap(f, f.random().below(child_count))) return false;
    Child child;
    child.role = role;
    HandleValue start[1] = {};
    u64 start_count = 0;
    if (role != ChildRole::no_orders) {
        Orders orders;
        orders.seed = f.random().next();
        // Victims fuzz with the argument families only: no children, shared objects or graphs.
        orders.families = f.orders().families &
                          (family::random | family::handles | family::pointers | family::sizes | family::rflags);
        orders.index = f.orders().index;
        orders.calls = victim_calls;
        if (role == ChildRole::exit_now) {
            orders.role = Role::exit_now;
            child.exit_status = orders.exit_status = static_cast<i64>(f.random().next() >> f.random().below(64));
        } else if (role == ChildRole::fault) {
            orders.role = Role::fault;
            child.fault = orders.fault = static_cast<FaultKind>(f.random().below(u64(FaultKind::count)));
            if (f.enabled(family::rflags)) orders.flags = static_cast<u32>(f.random().next() & user_settable_flags);
        } else {
            orders.role = Role::victim;
        }
        HandleValue pair[2] = {};
        if (!f.call(Syscall::channel_create, sys::arg(pair)).is_ok()) return false;
        if (!f.call(Syscall::channel_send, pair[0], sys::arg(&orders), sizeof(orders), 0, 0).is_ok()) {
            f.call(Syscall::handle_close, pair[0]);
            f.call(Syscall::handle_close, pair[1]);
            return false;
        }
        child.control = pair[0];
        start[start_count++] = pair[1];
    }
    auto result =
        f.call(Syscall::task_spawn, sys::arg(worker_module), sizeof(worker_module) - 1, sys::arg(start), start_count);
    if (!result.is_ok()) {
        for (u64 i = 0; i < start_count; ++i) f.call(Syscall::handle_close, start[i]);
        if (child.control) f.call(Syscall::handle_close, child.control);
        return false;
    }
    child.task = static_cast<HandleValue>(result.value);
    // Only victims are told to stop by their channel; the others have read (or will read) their
    // orders whether or not our end is open.
    if (role != ChildRole::victim && child.control) f.call(Syscall::handle_close, base::exchange(child.control, 0));
    f.hold(child.task);
    if (child.control) f.hold(child.control);
    children[child_count++] = child;
    return true;
}

ChildRole random_role(Fuzzer& f) {
    constexpr ChildRole roles[] = {ChildRole::no_orders, ChildRole::exit_now, ChildRole::fault,
                                   ChildRole::fault,     ChildRole::victim,   ChildRole::victim};
    return f.random().pick(roles);
}

// Spawns that must fail, and must leave every handle where it was.
void failing_spawn(Fuzzer& f) {
    HandleValue event = f.make(Kind::event);
    HandleValue handles[abi::StartInfo::max_handles + 1] = {};
    for (HandleValue& value : handles) value = event;
    const char missing[] = "no_such_module";
    RawResult result;
    switch (f.random().below(4)) {
        case 0:
            result = f.call(Syscall::task_spawn, sys::arg(missing), sizeof(missing) - 1, sys::arg(handles), 1);
            f.expect_status(result, Error::NotFound, "spawning a missing module gives NotFound", 60);
            break;
        case 1:
            result = f.call(Syscall::task_spawn, sys::arg(worker_module), sizeof(worker_module) - 1, sys::arg(handles),
                            abi::StartInfo::max_handles + 1);
            f.expect_status(result, Error::InvalidArgument, "spawning with 17 handles gives InvalidArgument", 60);
            break;
        case 2:
            result =
                f.call(Syscall::task_spawn, sys::arg(worker_module), sizeof(worker_module) - 1, sys::arg(handles), 2);
            f.expect_status(result, Error::InvalidArgument, "spawning with a handle listed twice gives InvalidArgument",
                            60);
            break;
        default:
            result = f.call(Syscall::task_spawn, arena::never_mapped, sizeof(worker_module) - 1, sys::arg(handles), 1);
            f.expect_status(result, Error::BadAddress, "spawning from an unmapped name gives BadAddress", 60);
            break;
    }
    if (event)
        f.expect_ok(f.call(Syscall::handle_info, event, arena::scratch), "a failed spawn leaves its handles", 60);
}

// A victim's task handle goes to whichever worker receives it, to be killed there.
void share_victim(Fuzzer& f) {
    if (!child_count || !f.shared().channel_count) return;
    const Child& child = children[f.random().below(child_count)];
    auto copy = f.call(Syscall::handle_duplicate, child.task,
                       abi::rights::transfer | abi::rights::manage | abi::rights::wait | abi::rights::read);
    if (!copy.is_ok()) return;
    HandleValue handles[1] = {static_cast<HandleValue>(copy.value)};
    HandleValue end = f.shared().channels[f.random().below(f.shared().channel_count)];
    if (!f.call(Syscall::channel_send, end, arena::scratch, 8, sys::arg(handles), 1).is_ok())
        f.call(Syscall::handle_close, handles[0]);
}

}  // namespace

void storm_step(Fuzzer& f) {
    switch (f.random().below(8)) {
        case 0:
        case 1: {
            u64 burst = f.random().between(1, 3);
            for (u64 i = 0; i < burst; ++i) spawn(f, random_role(f));
            break;
        }
        case 2:
            // Killed at once: before it has run at all, or while it is starting.
            if (spawn(f, random_role(f))) {
                if (f.random().one_in(2)) f.call(Syscall::yield);
                kill_and_reap(f, child_count - 1);
            }
            break;
        case 3:
            if (child_count) {
                usize index = f.random().below(child_count);
                f.call(Syscall::task_kill, children[index].task);
                if (f.random().one_in(2)) f.call(Syscall::task_kill, children[index].task);  // twice is fine
                if (f.random().one_in(2)) reap(f, index, sys::clock_read() + kill_deadline);
            }
            break;
        case 4:
            for (usize i = child_count; i-- > 0;) reap(f, i, abi::deadline_now);
            break;
        case 5:
            failing_spawn(f);
            break;
        case 6:
            if (f.enabled(family::races)) share_victim(f);
            break;
        default:
            if (child_count) {
                abi::CpuTime time{};
                HandleValue task = children[f.random().below(child_count)].task;
                f.call(Syscall::task_cpu_time, task, sys::arg(&time));
                f.call(Syscall::task_set_weight, task, f.random().between(10, abi::max_weight));
            }
            break;
    }
}

void storm_finish(Fuzzer& f) {
    while (child_count)
        if (!kill_and_reap(f, child_count - 1)) close_child(f, child_count - 1);  // reported; let it go
}

}  // namespace fuzz
