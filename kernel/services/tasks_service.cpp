#include <ipc/session.h>
#include <loader/spawn.h>
#include <object/task.h>
#include <poplar/protocols/kernel_tasks.h>
#include <sched/work_queue.h>
#include <services/session.h>
#include <services/task_exits.h>
#include <services/tasks_service.h>

namespace services {

namespace {

namespace protocol = poplar::protocols::kernel_tasks;
using poplar::protocols::KernelTasks;
using Reply = base::ErrorOr<KernelTasks::Response>;

KernelTasks::Response refused(base::Error error) { return protocol::Refused{static_cast<u32>(error)}; }

// The page List answers: the smallest ids above `after`, in order, and whether there were more.
struct PageBuilder {
    u64 after;
    Task::Snapshot entries[protocol::max_page_entries];
    usize count = 0;
    bool more = false;

    void add(const Task::Snapshot& snapshot) {
        if (snapshot.id <= after) return;
        usize position = count;
        while (position > 0 && entries[position - 1].id > snapshot.id) --position;
        if (position == protocol::max_page_entries) {
            more = true;
            return;
        }
        if (count == protocol::max_page_entries) {
            more = true;  // the largest one drops off the page
            --count;
        }
        for (usize i = count; i > position; --i) entries[i] = entries[i - 1];
        entries[position] = snapshot;
        ++count;
    }
};

// What WatchExits answers now: Exits with the watcher's exits after `after` (none yet: empty, with
// up_to where to wait from), Resync, or a refusal. The records are read one at a time, so that a
// watch holds nothing but its frame while it waits.
KernelTasks::Response exits_after(u64 after, u64 watcher, ptah::Allocator& allocator) {
    protocol::Exits exits{ptah::Vector<protocol::ExitInfo>(allocator), after};
    ExitRecord record;
    while (exits.exits.size() < protocol::max_exits_per_reply) {
        auto reading = task_exits::read(exits.up_to, watcher, base::Span<ExitRecord>(&record, 1));
        if (reading.invalid) return refused(base::Error::InvalidArgument);
        if (reading.lost) return protocol::Resync{task_exits::latest()};
        exits.up_to = reading.up_to;
        if (reading.count == 0) break;
        auto name = ptah::String::copy(allocator, record.name_view());
        if (name.is_error()) return refused(base::Error::NoMemory);
        protocol::ExitInfo info{record.sequence, record.task_id, name.release_value(), record.status};
        if (exits.exits.append(base::move(info)).is_error()) return refused(base::Error::NoMemory);
    }
    return KernelTasks::Response(base::move(exits));
}

struct SessionHandler {
    // The client, for its subtree, quotas and account; the session is a job on its own queue and
    // ends with it, so this reference does not keep it alive past its end.
    base::RefPtr<Task> client;
    // The session's own end: a watch also ends when the client closes it.
    const base::RefPtr<Channel>& channel;
    ipc::BoundedAllocator allocator;

    KernelTasks::Response handle(const protocol::List& request) {
        PageBuilder page{request.after_id, {}, 0, false};
        u64 exit_sequence = task_exits::latest();  // before the walk: an exit after it is watched
        Task::visit_subtree(*client, [&](const Task::Snapshot& snapshot) { page.add(snapshot); });
        protocol::Page reply{ptah::Vector<protocol::TaskInfo>(allocator), page.more, exit_sequence};
        if (reply.tasks.reserve(static_cast<u32>(page.count)).is_error()) return refused(base::Error::NoMemory);
        for (usize i = 0; i < page.count; ++i) {
            const Task::Snapshot& task = page.entries[i];
            auto name = ptah::String::copy(allocator, base::StringView(task.name));
            if (name.is_error()) return refused(base::Error::NoMemory);
            protocol::TaskInfo info{task.id,
                                    task.parent_id,
                                    name.release_value(),
                                    static_cast<u8>(task.dying ? protocol::State::exiting : protocol::State::running),
                                    task.dying ? task.exit_status : 0,
                                    task.cpu_time.user_nanoseconds,
                                    task.cpu_time.kernel_nanoseconds,
                                    task.cpu_time.kernel_work_nanoseconds};
            MUST(reply.tasks.append(base::move(info)));  // reserved
        }
        return KernelTasks::Response(base::move(reply));
    }

    KernelTasks::Response handle(const protocol::Spawn& request, ipc::Exchange& exchange) {
        if (request.module.is_empty() || request.module.length() >= poplar::abi::max_name_bytes ||
            request.arguments.length() > protocol::max_arguments_bytes)
            return refused(base::Error::InvalidArgument);
        // As task_spawn (syscall/task.cpp), with no start handles and the argument text.
        auto prepared = loader::prepare(request.module, 0);
        if (prepared.is_error()) return refused(prepared.error());
        prepared.value().task->inherit_weight_limit(*client);
        if (auto child = prepared.value().task->become_child_of(*client); child.is_error())
            return refused(child.error());
        auto task = loader::start(base::move(prepared.value()), {}, request.arguments);
        auto value = MUST(exchange.add_reply_handle(Handle(base::move(task), Task::spawn_rights)));
        return KernelTasks::Response(protocol::Spawned{protocol::TaskHandle{value}});
    }

    KernelTasks::Response handle(const protocol::Kill& request, ipc::Exchange& exchange) {
        // As task_kill: the handle's own type and rights decide, not who holds it.
        Handle handle = exchange.take_handle(request.task.value);
        if (!handle) return refused(base::Error::BadHandle);
        if (handle.object()->type() != ObjectType::Task) return refused(base::Error::WrongType);
        if (!handle.has_rights(poplar::abi::rights::manage)) return refused(base::Error::AccessDenied);
        static_cast<Task*>(handle.object().get())->kill(Task::killed_status);
        return KernelTasks::Response(protocol::Killed{});
    }

    // The one request that waits, so the one that costs a coroutine frame.
    async::Task<Reply> handle(const protocol::WatchExits& request) {
        u64 after = request.after_sequence;
        for (;;) {
            auto reply = exits_after(after, client->id(), allocator);
            auto* exits = reply.get_if<protocol::Exits>();
            if (!exits || !exits->exits.is_empty()) co_return base::move(reply);
            after = exits->up_to;  // none of those concerned the client
            CO_TRY(co_await task_exits::ExitAwaiter(after, channel));
            if (channel->signals() & poplar::abi::signals::peer_closed) co_return base::Error::PeerClosed;
        }
    }
};

async::Task<base::ErrorOr<void>> serve_session(base::RefPtr<Task> client, base::RefPtr<Channel> channel) {
    SessionHandler handler{client, channel, ipc::BoundedAllocator()};
    co_return co_await ipc::serve<KernelTasks>(channel, handler, &client->account());
}

}  // namespace

base::ErrorOr<base::RefPtr<TasksService>> TasksService::create() {
    auto* service = new (std::nothrow) TasksService();
    if (!service) return base::Error::NoMemory;
    return base::adopt_ref(service);
}

base::ErrorOr<base::RefPtr<Channel>> TasksService::open_session(Task& client) {
    return open_session_on_client_queue(
        client, [&](base::RefPtr<Channel> end) { return serve_session(base::RefPtr<Task>(&client), base::move(end)); });
}

}  // namespace services
