#pragma once

// The kernel-wide log of recent task exits (services/exit_log.h) that kernel.tasks' WatchExits
// reads, and the wait for the next exit. Task::announce_end records each exit once the task has
// ended (its waiters see `terminated` at the same time).

#include <async/job.h>
#include <object/channel.h>
#include <services/exit_log.h>

class Task;

namespace services::task_exits {

inline constexpr usize capacity = 64;
using Log = ExitLog<capacity>;

void record(Task& task, i64 status);
u64 latest();
Log::Reading read(u64 after, u64 watcher, base::Span<ExitRecord> out);

// co_await: until an exit after `after` is recorded, `channel`'s peer closes, or the job is
// cancelled (then Cancelled); the caller reads the log again to see which.
class ExitAwaiter {
public:
    ExitAwaiter(u64 after, base::RefPtr<Channel> channel) : after_(after), channel_(base::move(channel)) {}
    ~ExitAwaiter() { stop_waiting(); }
    bool await_ready() const;
    void await_suspend(std::coroutine_handle<> handle);
    base::ErrorOr<void> await_resume();

private:
    bool has_news() const;
    void stop_waiting();

    u64 after_;
    base::RefPtr<Channel> channel_;
    async::WaitNode node_;
    SignalObserver observer_;
    bool observing_ = false;
};

}  // namespace services::task_exits
