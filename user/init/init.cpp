// init: the first task. Runs the programs named by the kernel command line's run= value
// (comma-separated boot module names), one after the other, and exits 0 only if all exited 0
// and none left kernel objects behind (every task, thread, address space, memory object, channel
// end and event a program made must be gone once it and its children have ended).
//
// A name may carry an argument after a colon (`run=syscall_fuzz:soak:seed=7`): the program then
// gets one start handle, a channel whose first message is the argument text ("soak:seed=7").
//
// init's own start handle is the root service scope (the right to register any name but the
// kernel's; docs/services.md). Each program gets a handle to it after the argument's, if any: it
// finds it by type (poplar::service_scope()).
//
// A name may carry a supervision marker (`run=faulty!restart`, `run=faulty!release:text`): while
// that program runs, init provides `init.supervisor` (supervisor.h, docs/services.md) and, when
// the kernel asks about a task of the program that faulted or exited with a status other than
// 0, answers Restart (`!restart`: once; `!restart2`... up to 3 times) or Release (`!release`), and
// logs its decision as
// `kernel -> user: supervisor: ...`. A restarted program is waited for, and judged, as the same
// program. Without a marker init provides no supervisor (a test may register its own).

#include <base/string_view.h>
#include <poplar/async/executor.h>
#include <poplar/async/operations.h>
#include <poplar/channel.h>
#include <poplar/event.h>
#include <poplar/print.h>
#include <poplar/service_scope.h>
#include <poplar/start.h>
#include <poplar/syscall.h>
#include <poplar/task.h>

#include "supervisor.h"

using base::StringView;

namespace {

// The registrations each program's subtree may keep live at once (of the registry's 128).
constexpr u64 program_registrations = 48;

// The argument text, bounded by its buffer even if the kernel forgot the terminator.
StringView arguments_of(const poplar::abi::StartInfo& start_info) {
    usize length = 0;
    while (length < poplar::abi::StartInfo::max_arguments && start_info.arguments[length]) ++length;
    return StringView(start_info.arguments, length);
}

// Whether the object counts come back to `before` (teardown of children killed at the very end
// may take a moment: wait up to a second).
bool counts_return_to(const poplar::abi::ObjectCounts& before, StringView name) {
    u64 give_up = poplar::sys::clock_read() + 1'000'000'000;
    poplar::abi::ObjectCounts now{};
    do {
        now = poplar::sys::debug_object_counts().value_or(now);
        if (now == before) return true;
        (void)poplar::sys::sleep(poplar::sys::deadline_after(1'000'000));
    } while (poplar::sys::clock_read() < give_up);
    poplar::println(
        "init: {} left kernel objects behind: tasks {} -> {}, threads {} -> {}, address spaces {} -> {}, "
        "memory objects {} -> {}, channel ends {} -> {}, events {} -> {}, service scopes {} -> {}, "
        "rings {} -> {}",
        name, before.tasks, now.tasks, before.threads, now.threads, before.address_spaces, now.address_spaces,
        before.memory_objects, now.memory_objects, before.channels, now.channels, before.events, now.events,
        before.service_scopes, now.service_scopes, before.rings, now.rings);
    return false;
}

// Starts `name`, handing it `argument` (if any) as the first message on its first start handle,
// then our service scope; `channel` keeps our end open until the program has ended.
base::ErrorOr<poplar::Task> start(StringView name, StringView argument, poplar::Channel& channel) {
    poplar::Handle handles[2];
    usize count = 0;
    if (!argument.is_empty()) {
        auto pair = TRY(poplar::Channel::create());
        TRY(pair.first.send(base::ReadonlyBytes(reinterpret_cast<const u8*>(argument.data()), argument.length())));
        handles[count++] = base::move(pair.second);
        channel = base::move(pair.first);
    }
    // Its own budget of registrations, for it and whatever it starts: no program can fill the
    // registry for the others.
    if (poplar::service_scope() != poplar::abi::invalid_handle)
        handles[count++] = TRY(poplar::limit_service_scope(poplar::service_scope(), program_registrations));
    return poplar::Task::spawn(name, base::Span<poplar::Handle>(handles, count));
}

// How many restarts a supervision marker asks for ("release": 0, "restart": 1, "restartN": N up
// to 3); InvalidArgument for one not understood.
base::ErrorOr<u32> restarts_asked(StringView marker) {
    if (marker == "release") return 0u;
    if (!marker.starts_with("restart") || marker.length() > 8) return base::Error::InvalidArgument;
    if (marker.length() == 7) return 1u;
    u32 count = static_cast<u32>(marker[7] - '0');
    if (count < 1 || count > 3) return base::Error::InvalidArgument;
    return count;
}

// Runs one program ("name" or "name:argument"); true if it exited with status 0 and left nothing
// behind. A supervised program is waited for on `executor` (supervisor.h).
bool run(StringView entry, poplar::async::Executor& executor) {
    usize colon = entry.find(':');
    StringView name = entry.substring(0, colon);
    StringView argument = colon < entry.length() ? entry.substring(colon + 1) : StringView();
    auto before = poplar::sys::debug_object_counts().value_or({});
    base::ErrorOr<supervision::ProgramSupervisor> supervisor = base::Error::NotFound;
    if (usize bang = name.find('!'); bang < name.length()) {
        auto restarts = restarts_asked(name.substring(bang + 1));
        name = name.substring(0, bang);
        if (restarts.is_ok()) supervisor = supervision::ProgramSupervisor::create(restarts.value());
        if (restarts.is_error() || supervisor.is_error()) {
            base::Error error = restarts.is_error() ? restarts.error() : supervisor.error();
            poplar::println("init: cannot supervise {}: {}", name, base::error_name(error));
            return false;
        }
    }
    poplar::Channel channel;
    auto task = start(name, argument, channel);
    if (task.is_error()) {
        poplar::println("init: {} failed to start: {}", name, base::error_name(task.error()));
        return false;
    }
    auto status =
        supervisor.is_ok() ? executor.block_on(supervisor.value().wait(task.value(), name)) : task.value().wait();
    if (status.is_error()) {
        poplar::println("init: waiting for {} failed: {}", name, base::error_name(status.error()));
        return false;
    }
    poplar::println("init: {} exited with status {}", name, status.value());
    // Our handle to it, and its argument channel, are the last things of the program's we hold.
    task.value().reset();
    channel.reset();
    supervisor = base::Error::NotFound;  // and the supervisor's registration
    return counts_return_to(before, name) && status.value() == 0;
}

// A wait that the kernel runs as a job (the first one makes init's work queue).
poplar::async::Task<base::ErrorOr<u32>> warm_up() {
    auto event = CO_TRY(poplar::Event::create());
    co_return co_await poplar::async::wait(event, poplar::abi::signals::signaled, poplar::sys::deadline_after(100'000));
}

}  // namespace

int main(const poplar::abi::StartInfo& start_info) {
    StringView list = arguments_of(start_info);
    // The coroutine runtime, for supervising (its ring lives as long as init). The first ring
    // operation that waits gives init a kernel work queue (a thread): make it now, before the
    // first program's objects are counted.
    auto executor = poplar::async::Executor::create(8);
    if (executor.is_ok()) (void)executor.value().block_on(warm_up());
    if (executor.is_error()) {
        poplar::println("init: no ring for the runtime: {}", base::error_name(executor.error()));
        return 1;
    }
    bool all_passed = true;
    usize programs = 0;
    while (!list.is_empty()) {
        usize comma = list.find(',');
        StringView name = list.substring(0, comma);
        list = comma < list.length() ? list.substring(comma + 1) : StringView();
        if (name.is_empty()) continue;
        ++programs;
        all_passed = run(name, executor.value()) && all_passed;
    }
    if (programs == 0) {
        poplar::println("init: nothing to run");
        return 0;
    }
    return all_passed ? 0 : 1;
}
