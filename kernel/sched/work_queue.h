#pragma once

// Kernel async work done for one scheduling group — a task, or the kernel itself — runs on an
// executor driven by a kernel thread *in that group*. The fair scheduler therefore charges the
// work to whoever it is for: a task that makes the kernel work for it spends its own share.
//
// The worker polls jobs while any are ready, at most `polls_per_turn` at a time and never past
// its time slice, then gives up the CPU; with nothing ready it blocks (no polling, no spinning).

#include <async/executor.h>
#include <object/thread.h>

class Task;

namespace sched {

class WorkQueue {
public:
    static constexpr usize polls_per_turn = 64;
    static constexpr usize max_live_jobs = 256;

    // `owner`, if given, is kept alive until the worker has finished.
    static base::ErrorOr<WorkQueue*> create(SchedulingGroup& group, const char* name, base::RefPtr<Task> owner);

    // Starts `task` as a job; LimitReached once max_live_jobs are pending (back-pressure).
    template <typename T>
    base::ErrorOr<base::RefPtr<async::TypedJob<T>>> spawn(async::Task<T>&& task) {
        if (shutting_down_) return base::Error::BadState;
        if (executor_.live_jobs() >= max_live_jobs) return base::Error::LimitReached;
        return executor_.spawn(base::move(task));
    }

    // Whether spawn would take a job now (a caller that must not start what it cannot finish).
    bool can_spawn() const { return !shutting_down_ && executor_.live_jobs() < max_live_jobs; }

    async::Executor& executor() { return executor_; }

    // For a job about to wake a thread that should run next (a client its reply answers): the
    // worker gives it the CPU as soon as it has nothing left to poll (sched::hand_off_next_wake).
    // Does nothing outside a worker.
    static void hand_off_next_wake();

    // Cancels every job; the worker exits once they have unwound and then frees this queue.
    void shut_down();

    // CPU time the worker has used, in cycles.
    u64 worker_cycles() const { return worker_->kernel_cycles; }

private:
    WorkQueue() = default;
    static void worker_main(void* queue);
    static void on_ready(async::Executor&, void* queue);

    async::Executor executor_;
    Thread* worker_ = nullptr;
    bool worker_waiting_ = false;
    bool shutting_down_ = false;
};

// The kernel's own work queue (housekeeping), in the kernel's scheduling group.
WorkQueue& kernel_work_queue();
SchedulingGroup& kernel_group();

}  // namespace sched
