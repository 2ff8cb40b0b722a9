#include <ipc/session.h>
#include <loader/spawn.h>
#include <object/task.h>
#include <poplar/protocols/kernel_tasks.h>
#include <sched/work_queue.h>
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

struct SessionHandler {
    // The client, for its subtree, quotas and account; the session is a job on its own queue and
    // ends with it, so this reference does not keep it alive past its end.
    base::RefPtr<Task> client;
    // The session's own end: a watch also ends when the client closes it.
    const base::RefPtr<Channel>& channel;
    ipc::BoundedAllocator allocator;

    async::Task<Reply> handle(const protocol::List& request, ipc::Exchange&) {
        PageBuilder page{request.after_id, {}, 0, false};
        u64 exit_sequence = task_exits::latest();  // before the walk: an exit after it is watched
        Task::visit_subtree(*client, [&](const Task::Snapshot& snapshot) { page.add(snapshot); });
        protocol::Page reply{ptah::Vector<protocol::TaskInfo>(allocator), page.more, exit_sequence};
        if (reply.tasks.reserve(static_cast<u32>(page.count)).is_error()) co_return refused(base::Error::NoMemory);
        for (usize i = 0; i < page.count; ++i) {
            const Task::Snapshot& task = page.entries[i];
            protocol::TaskInfo info{task.id,
                                    task.parent_id,
                                    base::StringView(task.name),
                                    static_cast<u8>(task.dying ? protocol::State::exiting : protocol::State::running),
                                    task.dying ? task.exit_status : 0,
                                    task.cpu_time.user_nanoseconds,
                                    task.cpu_time.kernel_nanoseconds,
                                    task.cpu_time.kernel_work_nanoseconds};
            MUST(reply.tasks.append(base::move(info)));  // reserved
        }
        co_return KernelTasks::Response(base::move(reply));
    }

    async::Task<Reply> handle(const protocol::Spawn& request, ipc::Exchange& exchange) {
        if (request.module.is_empty() || request.module.length() >= poplar::abi::max_name_bytes ||
            request.arguments.length() > protocol::max_arguments_bytes)
            co_return refused(base::Error::InvalidArgument);
        // As task_spawn (syscall/task.cpp), with no start handles and the argument text.
        auto prepared = loader::prepare(request.module, 0);
        if (prepared.is_error()) co_return refused(prepared.error());
        prepared.value().task->inherit_weight_limit(*client);
        prepared.value().task->inherit_service_scope(*client);
        if (auto child = prepared.value().task->become_child_of(*client); child.is_error())
            co_return refused(child.error());
        auto task = loader::start(base::move(prepared.value()), {}, request.arguments);
        auto value = MUST(exchange.add_reply_handle(Handle(base::move(task), Task::spawn_rights)));
        co_return KernelTasks::Response(protocol::Spawned{protocol::TaskHandle{value}});
    }

    async::Task<Reply> handle(const protocol::Kill& request, ipc::Exchange& exchange) {
        // As task_kill: the handle's own type and rights decide, not who holds it.
        Handle handle = exchange.take_handle(request.task.value);
        if (!handle) co_return refused(base::Error::BadHandle);
        if (handle.object()->type() != ObjectType::Task) co_return refused(base::Error::WrongType);
        if (!handle.has_rights(poplar::abi::rights::manage)) co_return refused(base::Error::AccessDenied);
        static_cast<Task*>(handle.object().get())->kill(Task::killed_status);
        co_return KernelTasks::Response(protocol::Killed{});
    }

    async::Task<Reply> handle(const protocol::WatchExits& request, ipc::Exchange&) {
        u64 after = request.after_sequence;
        task_exits::Log::Reading reading;
        ExitRecord records[protocol::max_exits_per_reply];
        for (;;) {
            reading =
                task_exits::read(after, client->id(), base::Span<ExitRecord>(records, protocol::max_exits_per_reply));
            if (reading.invalid) co_return refused(base::Error::InvalidArgument);
            if (reading.lost) co_return KernelTasks::Response(protocol::Resync{task_exits::latest()});
            if (reading.count > 0) break;
            after = reading.up_to;  // none of those concerned the client
            CO_TRY(co_await task_exits::ExitAwaiter(after, channel));
            if (channel->signals() & poplar::abi::signals::peer_closed) co_return base::Error::PeerClosed;
        }
        protocol::Exits reply{ptah::Vector<protocol::ExitInfo>(allocator), reading.up_to};
        if (reply.exits.reserve(static_cast<u32>(reading.count)).is_error()) co_return refused(base::Error::NoMemory);
        for (usize i = 0; i < reading.count; ++i)
            MUST(reply.exits.append(protocol::ExitInfo{records[i].sequence, records[i].task_id, records[i].name_view(),
                                                       records[i].status}));
        co_return KernelTasks::Response(base::move(reply));
    }
};

async::Task<base::ErrorOr<void>> serve_session(base::RefPtr<Task> client, base::RefPtr<Channel> channel) {
    SessionHandler handler{client, channel, ipc::BoundedAllocator()};
    co_return co_await ipc::serve_with_waits<KernelTasks>(channel, handler, &client->account());
}

}  // namespace

base::ErrorOr<base::RefPtr<TasksService>> TasksService::create() {
    auto* service = new (std::nothrow) TasksService();
    if (!service) return base::Error::NoMemory;
    return base::adopt_ref(service);
}

base::ErrorOr<base::RefPtr<Channel>> TasksService::open_session(Task& client) {
    sched::WorkQueue* queue = TRY(client.work_queue());
    auto pair = TRY(Channel::create_pair());
    // Detached, on the client's queue: the work is charged to the client, and ends with it.
    TRY(queue->spawn(serve_session(base::RefPtr<Task>(&client), base::move(pair.second))));
    return base::move(pair.first);
}

}  // namespace services
