#include <arch/arch.h>
#include <async/platform.h>
#include <object/task.h>
#include <services/task_exits.h>
#include <sync/spinlock.h>

namespace services::task_exits {

namespace {

// Guards the log. A leaf: recording copies a record in; waking the watchers happens after.
IrqSpinLock exits_lock;
Log exit_log GUARDED_BY(exits_lock);
// Jobs waiting for the next exit, from any task's worker and the exiting task's thread. The wait
// list is guarded by masking interrupts (CriticalSection), which is a lock only on one CPU.
static_assert(arch::max_cpus == 1, "the exit watchers' list is guarded by masking interrupts");
async::WaitList watchers;

}  // namespace

void record(Task& task, i64 status) {
    ExitRecord entry;
    entry.task_id = task.id();
    entry.status = status;
    base::StringView name(task.name());
    __builtin_memcpy(entry.name, name.data(), base::min(name.length(), sizeof(entry.name) - 1));
    base::Span<const u64> ancestors = task.ancestors();
    entry.ancestor_count = ancestors.size();
    for (usize i = 0; i < ancestors.size(); ++i) entry.ancestors[i] = ancestors[i];
    {
        IrqSpinLockGuard guard(exits_lock);
        exit_log.append(entry);
    }
    watchers.wake_all();
}

u64 latest() {
    IrqSpinLockGuard guard(exits_lock);
    return exit_log.latest();
}

Log::Reading read(u64 after, u64 watcher, base::Span<ExitRecord> out) {
    IrqSpinLockGuard guard(exits_lock);
    return exit_log.read(after, watcher, out);
}

bool ExitAwaiter::has_news() const {
    return async::current_job_cancelled() || latest() > after_ ||
           (channel_->signals() & poplar::abi::signals::peer_closed);
}

bool ExitAwaiter::await_ready() const { return has_news(); }

void ExitAwaiter::await_suspend(std::coroutine_handle<> handle) {
    async::current_job()->set_resume_point(handle);
    node_.waker = async::current_waker();
    observer_.notify = [](SignalObserver& self) { static_cast<ExitAwaiter*>(self.context)->node_.waker.wake(); };
    observer_.context = this;
    observer_.wanted = poplar::abi::signals::peer_closed;
    async::platform::CriticalSection section;
    watchers.add(node_);
    channel_->add_observer(observer_);
    observing_ = true;
    if (has_news()) node_.waker.wake();  // between await_ready and now
}

void ExitAwaiter::stop_waiting() {
    async::platform::CriticalSection section;
    watchers.remove(node_);
    if (observing_) channel_->remove_observer(observer_);
    observing_ = false;
}

base::ErrorOr<void> ExitAwaiter::await_resume() {
    stop_waiting();
    if (async::current_job_cancelled()) return base::Error::Cancelled;
    return {};
}

}  // namespace services::task_exits
