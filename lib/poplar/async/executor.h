#pragma once

// The executor: jobs (spawned root tasks, poplar/async/job.h) run on one thread over one ring.
//
// The loop polls every ready job, writes the ring operations they started into the submission
// queue (no system call), and enters the kernel once: to hand the batch over without waiting when
// jobs are still ready, or, when none is, waiting for at least one completion (min_complete 1;
// never a busy wait). It then reads every completion, finds each one's operation by its tag
// (poplar/async/slot_table.h: a stale or unknown tag finds nothing and is counted), and wakes the
// jobs in completion order.
//
// Room in the rings: an entry is written only when the completion queue is sure to have room for
// its completion (entries written less completions read stay below the queue's size), so the
// kernel never refuses one and a completion is never waited for that cannot come. Operations
// beyond that wait in the executor, in order, without a slot; a part of the completion queue is
// kept for cancels, so a cancel is never stuck behind operations that wait forever. When
// operations wait for room and nothing completes for a quantum (preemption_quantum), the loop
// lends the places of the oldest restartable operations in the kernel (waits, timeouts,
// receives) to them: it cancels those, and puts each back at the end of the queue when its
// completion says Cancelled (one that completed meanwhile resumes its job as usual). So the
// rings are shared in turn, and an operation that would end the waits is never stuck behind
// them. Should the kernel still say ShouldWait, the loop reads completions first and enters
// again.
//
// Cancellation (Job::request_cancel, JoinHandle::cancel): the operation the job waits for is
// cancelled by its tag (the ring's cancel; or, if it has not reached the kernel yet, dropped
// without a system call) and the job resumes only once the kernel has completed it, with
// Cancelled or with the result it had already reached (a message received is not lost). Every
// later operation of the job completes with Cancelled at once. Local waits (WaitQueue, join) end
// with Cancelled; a group of children (when_any) passes the cancel to them and is still awaited.

#include <poplar/async/group.h>
#include <poplar/async/job.h>
#include <poplar/async/operation.h>
#include <poplar/async/ring.h>
#include <poplar/async/slot_table.h>

namespace poplar::async {

class Loop {
public:
    // How long the loop waits for a completion, while operations wait for room, before it lends
    // places in the rings to them.
    static constexpr u64 preemption_quantum = 5'000'000;  // nanoseconds
    // The most operations the loop has in the kernel at once, whatever the ring's size: each that
    // waits is a job on the task's kernel work queue, which takes 256 (LimitReached beyond),
    // and other work of the task (its kernel sessions) needs some too.
    static constexpr u64 max_operations_in_kernel = 192;

    static base::ErrorOr<Loop*> create(u32 ring_entries);
    ~Loop();
    Loop(const Loop&) = delete;
    Loop& operator=(const Loop&) = delete;

    // Starts `task` as a job (run from the next poll on), optionally as a member of `group`.
    // NoMemory if the task has no frame or the job cannot be allocated.
    template <typename T>
    base::ErrorOr<base::RefPtr<TypedJob<T>>> spawn(Task<T>&& task, Group* group = nullptr) {
        if (!task.is_valid()) return base::Error::NoMemory;
        auto* job = new (std::nothrow) TypedJob<T>(*this, base::move(task));
        if (!job) return base::Error::NoMemory;
        base::RefPtr<TypedJob<T>> reference(job);  // the caller's; the loop keeps the first
        adopt(*job, group);
        return reference;
    }

    // Runs until `target` has finished (null: until no job is left); never from inside a job
    // (a job awaits; it does not run the loop itself). Fails only when the ring
    // does (the task is being killed: Cancelled; a corrupt ring: BadState), or with BadState when
    // jobs are left that wait for nothing the kernel will complete (each waits for another).
    base::ErrorOr<void> run_until(const Job* target);
    // Cancels every job and runs until all have finished (their operations completed).
    base::ErrorOr<void> shut_down();

    void schedule(Job& job);
    void submit(Operation& operation, Job& job);
    void cancel(Operation& operation);

    struct Statistics {
        u64 polls;
        u64 enters;           // ring_enter calls
        u64 blocking_enters;  // of which waited for a completion
        u64 entries_written;  // operations and cancels
        u64 cancels_written;
        u64 completions;
        u64 stray_completions;  // a tag that named no live operation
        u64 should_wait;        // ring_enter found no completion room
        u64 preemptions;        // operations cancelled to lend their place, and queued again
        u64 most_in_flight;     // the most entries outstanding at once
        u64 most_in_kernel;     // the most operations in the kernel at once
        u64 most_waiting;       // the most operations waiting for room at once
        usize live_jobs;
        usize in_flight;  // operations in the kernel
        usize waiting;    // operations waiting for room
    };
    Statistics statistics() const;
    const Ring& ring() const { return ring_; }

private:
    using Slots = SlotTable<Operation>;

    Loop(Ring ring, Slots::Slot* slots);
    void adopt(Job& job, Group* group);
    void poll(Job& job);
    void complete(Job& job);
    void write_entries();
    bool may_preempt() const;
    void preempt();
    base::ErrorOr<void> exchange(bool may_block);
    usize read_completions();
    void finish(Operation& operation);
    u64 outstanding() const { return entries_written_ - completions_read_; }
    u64 operation_budget() const;

    Ring ring_;
    Slots::Slot* slot_storage_;
    Slots slots_;
    base::IntrusiveList<Job, &Job::ready_node> ready_;
    base::IntrusiveList<Job, &Job::all_node> jobs_;
    base::IntrusiveList<Operation, &Operation::node> waiting_;           // for room, in order
    base::IntrusiveList<Operation, &Operation::node> cancels_;           // in the kernel, a cancel to write
    base::IntrusiveList<Operation, &Operation::kernel_node> in_kernel_;  // oldest first
    usize ready_count_ = 0;
    usize live_jobs_ = 0;
    usize waiting_count_ = 0;
    u64 entries_written_ = 0;
    u64 completions_read_ = 0;
    Statistics statistics_{};
};

// A spawned job's result, once it has finished. Dropping the handle detaches the job (it runs on
// and its result is dropped); the handle never cancels by itself.
template <typename T>
class JoinHandle {
public:
    JoinHandle() = default;
    explicit JoinHandle(base::RefPtr<TypedJob<T>> job) : job_(base::move(job)) {}

    bool is_complete() const { return job_->is_complete(); }
    void cancel() { job_->request_cancel(); }

    // co_await join(): the result once the job has finished; Cancelled if the waiting job is
    // cancelled first (the joined job runs on).
    struct Joiner {
        base::RefPtr<TypedJob<T>> job;
        WaitQueue::Waiter waiter;
        bool await_ready() { return job->is_complete() || waiter.await_ready(); }
        void await_suspend(std::coroutine_handle<> handle) { waiter.await_suspend(handle); }
        T await_resume() {
            if (!job->is_complete()) return base::Error::Cancelled;
            return job->take_result();
        }
    };
    Joiner join() { return Joiner{job_, WaitQueue::Waiter(job_->completion_waiters())}; }

    // The result of a finished job.
    T take_result() { return job_->take_result(); }
    Job& job() const { return *job_; }

private:
    base::RefPtr<TypedJob<T>> job_;
};

// The loop of the job being polled (spawn from inside a job).
Loop& current_loop();

// Starts `task` as a job beside the current one.
template <typename T>
base::ErrorOr<JoinHandle<T>> spawn(Task<T> task) {
    return JoinHandle<T>(TRY(current_loop().spawn(base::move(task))));
}

// Owns a loop and its ring. Going away, it cancels every job left and waits for their operations
// (a job's frame, and the buffers the kernel may write, outlive its operations).
class Executor {
public:
    // `ring_entries`: the submission queue's size (a power of two up to 1024); operations beyond
    // what the rings hold wait in the executor.
    static base::ErrorOr<Executor> create(u32 ring_entries = 64);
    Executor(Executor&& other) : loop_(base::exchange(other.loop_, nullptr)) {}
    Executor(const Executor&) = delete;
    Executor& operator=(const Executor&) = delete;
    ~Executor();

    template <typename T>
    base::ErrorOr<JoinHandle<T>> spawn(Task<T> task) {
        return JoinHandle<T>(TRY(loop_->spawn(base::move(task))));
    }

    // Runs `task` (and every other job meanwhile) until it has finished; its result.
    template <typename T>
    T block_on(Task<T> task) {
        auto job = TRY(loop_->spawn(base::move(task)));
        TRY(loop_->run_until(job.get()));
        return job->take_result();
    }

    // Runs until no job is left.
    base::ErrorOr<void> run() { return loop_->run_until(nullptr); }

    Loop& loop() const { return *loop_; }
    Loop::Statistics statistics() const { return loop_->statistics(); }

private:
    explicit Executor(Loop* loop) : loop_(loop) {}
    Loop* loop_;
};

}  // namespace poplar::async
