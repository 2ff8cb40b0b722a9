#include <ipc/caller.h>
#include <loader/spawn.h>
#include <object/service_registry.h>
#include <poplar/protocols/supervisor.h>
#include <sched/work_queue.h>
#include <services/log_service.h>
#include <services/lookup.h>
#include <services/supervision.h>
#include <time/clock.h>

namespace services {
namespace {

namespace protocol = poplar::protocols::supervisor;
using poplar::protocols::Supervisor;

// What the supervisor gets for the new task (as task_spawn gives its spawner).
constexpr u32 restarted_task_rights = poplar::abi::rights::duplicate | poplar::abi::rights::transfer |
                                      poplar::abi::rights::read | poplar::abi::rights::wait |
                                      poplar::abi::rights::manage;

template <typename... Args>
void record(const Task& task, log::Level level, base::StringView format, const Args&... args) {
    auto log = lookup<LogService>("kernel.log");
    if (log.is_ok()) log.value()->record(level, "supervision", {task.id(), task.name()}, format, args...);
}

u64 reply_deadline() { return time::monotonic_nanoseconds() + protocol::reply_deadline_nanoseconds; }

// The program again, as its spawner started it: same module and argument text, the spawner's
// weight limit (as at spawn). No start handles: those were moved into the first run, so a
// restarted program holds no service scope either (the right to register is a handle).
base::ErrorOr<base::RefPtr<Task>> restart(const Task& old, Task& spawner) {
    auto prepared = TRY(loader::prepare(old.name(), 0));
    prepared.task->inherit_weight_limit(spawner);
    TRY(prepared.task->become_child_of(spawner));
    return loader::start(base::move(prepared), {}, old.arguments(), old.restarts() + 1);
}

// Tells the supervisor which task replaced `old`; the new task runs whatever it answers.
async::Task<base::ErrorOr<void>> announce_restart(base::RefPtr<Channel> session, const Task& old,
                                                  base::RefPtr<Task> task) {
    Handle handle(base::move(task), restarted_task_rights);
    Supervisor::Request request = protocol::TaskRestarted{old.id(), {ipc::handle_value_of(0)}};
    MessagePointer message = CO_TRY(ipc::encode_message(request, base::Span<Handle>(&handle, 1), nullptr));
    auto reply = CO_TRY(co_await ipc::call<Supervisor>(base::move(session), base::move(message), reply_deadline()));
    if (!reply.value.is<protocol::Noted>()) co_return base::Error::MalformedMessage;
    co_return base::ErrorOr<void>{};
}

bool is_ancestor(u64 ancestor_id, const Task& task) {
    for (u64 id : task.ancestors())
        if (id == ancestor_id) return true;
    return false;
}

// What the supervisor is asked: TaskFaulted, or TaskExited for a task that ended itself.
Supervisor::Request request_about(const Task& task, const FaultReport& fault) {
    if (fault.exited)
        return protocol::TaskExited{.task_id = task.id(),
                                    .name = task.name(),
                                    .module = task.name(),  // a task is named after it
                                    .arguments = task.arguments(),
                                    .exit_status = fault.exit_status,
                                    .restarts = task.restarts()};
    return protocol::TaskFaulted{.task_id = task.id(),
                                 .name = task.name(),
                                 .module = task.name(),
                                 .arguments = task.arguments(),
                                 .vector = fault.vector,
                                 .error_code = fault.error_code,
                                 .fault_address = fault.fault_address,
                                 .instruction_pointer = fault.instruction_pointer,
                                 .stack_pointer = fault.stack_pointer,
                                 .exit_status = fault.exit_status,
                                 .restarts = task.restarts()};
}

async::Task<base::ErrorOr<void>> supervise(base::RefPtr<Task> task, base::RefPtr<Task> spawner, FaultReport fault) {
    // Once the task has ended, so that the supervisor sees `terminated` before it is asked.
    CO_TRY(co_await async::wait_signals(task, poplar::abi::signals::terminated));
    if (task->restarts() >= protocol::max_restarts) {
        record(*task, log::Level::Warning, "restarted {} times already; let go (the limit)", task->restarts());
        co_return base::ErrorOr<void>{};
    }
    // Only a supervisor that is an ancestor of the task hears of it (and gets the restarted task's
    // handle): anyone may register the name, but a task's fault is its ancestors' business only.
    ServiceRegistry& registry = ServiceRegistry::the();
    u64 supervisor = registry.find(Supervisor::name).task_id;
    if (supervisor != 0 && !is_ancestor(supervisor, *task)) {
        record(*task, log::Level::Warning, "supervisor {} is not an ancestor (AccessDenied); let go (the default)",
               supervisor);
        co_return base::ErrorOr<void>{};
    }
    auto session = registry.connect(Supervisor::name, ServiceRegistry::kernel_client,
                                    supervisor != 0 ? supervisor : ServiceRegistry::any_provider);
    if (session.is_error()) {
        // NotFound: nobody provides it (or another task took the name meanwhile); ShouldWait: it
        // is not taking sessions.
        record(*task, log::Level::Info, "{} ({}); let go (the default)",
               session.failed_with(base::Error::NotFound) ? "no supervisor" : "supervisor not reached",
               base::error_name(session.error()));
        co_return base::ErrorOr<void>{};
    }
    Supervisor::Request request = request_about(*task, fault);
    ipc::Caller<Supervisor> caller(session.value());
    auto reply = co_await caller.call(request, reply_deadline());
    if (reply.is_error() || reply.value().is<protocol::Noted>()) {
        // A reply that does not decode (or does not answer the question) ends the session too.
        base::Error error = reply.is_error() ? reply.error() : base::Error::MalformedMessage;
        record(*task, log::Level::Warning, "supervisor failed ({}); let go (the default)", base::error_name(error));
        co_return base::ErrorOr<void>{};
    }
    if (reply.value().is<protocol::Release>()) {
        record(*task, log::Level::Info, "supervisor released it");
        co_return base::ErrorOr<void>{};
    }
    auto restarted = restart(*task, *spawner);
    if (restarted.is_error()) {
        record(*task, log::Level::Warning, "restart failed ({}); let go", base::error_name(restarted.error()));
        co_return base::ErrorOr<void>{};
    }
    u64 new_id = restarted.value()->id();
    record(*task, log::Level::Info, "supervisor had it restarted as task {} (restart {} of at most {})", new_id,
           task->restarts() + 1, protocol::max_restarts);
    auto announced = co_await announce_restart(base::move(session.value()), *task, base::move(restarted.value()));
    if (announced.is_error())
        record(*task, log::Level::Warning, "supervisor failed to note the restart ({})",
               base::error_name(announced.error()));
    co_return base::ErrorOr<void>{};
}

}  // namespace

void supervise_exit(Task& task, i64 status) {
    if (!ServiceRegistry::the().is_registered(Supervisor::name)) return;
    supervise_fault(task, FaultReport{.exit_status = status, .exited = true});
}

void supervise_fault(Task& task, const FaultReport& fault) {
    base::RefPtr<Task> spawner = task.spawner();
    if (!spawner) return;
    auto job = sched::kernel_work_queue().spawn(supervise(base::RefPtr<Task>(&task), base::move(spawner), fault));
    if (job.is_error()) record(task, log::Level::Warning, "not consulted ({}); let go", base::error_name(job.error()));
}

}  // namespace services
