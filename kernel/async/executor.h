#pragma once

// The executor: a queue of ready jobs, polled in order. It runs where its owner runs it — in the
// kernel, a worker thread per scheduling account (sched/), so the CPU time of every poll is
// charged to the account the work is for. Polls are budgeted: `run` stops after a number of
// polls or when its owner says time is up, so a burst of work never holds the CPU past a slice.

#include <async/job.h>
#include <base/intrusive_list.h>

namespace async {

class Executor {
public:
    Executor() = default;
    Executor(const Executor&) = delete;
    Executor& operator=(const Executor&) = delete;
    ~Executor();

    // Starts `task` as a job. Keep the returned reference to join or cancel it; drop it to
    // detach. NoMemory if the task has no frame or the job cannot be allocated.
    template <typename T>
    base::ErrorOr<base::RefPtr<TypedJob<T>>> spawn(Task<T>&& task) {
        if (!task.is_valid()) return base::Error::NoMemory;
        auto* job = new (std::nothrow) TypedJob<T>(*this, base::move(task));
        if (!job) return base::Error::NoMemory;
        // The caller's reference is taken before the job is published: once it is on the ready
        // queue its worker may run it to completion and drop every other reference.
        base::RefPtr<TypedJob<T>> reference(job);
        adopt_new_job(*job);
        return reference;
    }

    // Puts a job on the ready queue (if it is not there already). Safe from interrupt handlers.
    void schedule(Job& job);

    // Polls ready jobs in order: at most `max_polls`, and stops early once `should_stop`
    // returns true (checked after each poll). Returns how many polls ran.
    usize run(usize max_polls, bool (*should_stop)(void*) = nullptr, void* context = nullptr);

    bool has_ready_jobs() const;

    // Asks every live job to stop (see Job::request_cancel).
    void cancel_all();
    usize live_jobs() const { return live_jobs_; }

    // Called (possibly from an interrupt handler) when the ready queue goes from empty to not
    // empty, so the owner can wake whatever runs this executor.
    void set_ready_hook(void (*hook)(Executor&, void*), void* context) {
        ready_hook_ = hook;
        ready_hook_context_ = context;
    }

    struct Statistics {
        u64 spawns, polls, wakes, completions;
    };
    Statistics statistics() const { return statistics_; }

private:
    void adopt_new_job(Job& job);
    void complete(Job& job);

    base::IntrusiveList<Job, &Job::ready_node> ready_;
    base::IntrusiveList<Job, &Job::all_node> jobs_;
    usize live_jobs_ = 0;
    Statistics statistics_{};
    void (*ready_hook_)(Executor&, void*) = nullptr;
    void* ready_hook_context_ = nullptr;
};

// co_await yield_now(): lets the other ready jobs run first.
struct YieldNow {
    bool await_ready() const { return false; }
    void await_suspend(std::coroutine_handle<> handle);
    base::ErrorOr<void> await_resume() const;
};
inline YieldNow yield_now() { return {}; }

}  // namespace async
