#pragma once

// A job is one spawned root coroutine on an executor. Awaitables suspend a job by recording where
// to resume it and handing out a Waker; waking puts the job back on its executor's ready queue.

#include <async/task.h>
#include <async/wait_list.h>
#include <async/waker.h>
#include <base/intrusive_list.h>
#include <base/ref_counted.h>
#include <coroutine>
#include <new>

namespace async {

class Executor;

class Job : public base::RefCounted<Job> {
public:
    virtual ~Job();

    Executor& executor() const { return executor_; }
    bool is_complete() const { return complete_; }
    bool cancel_requested() const { return cancel_requested_; }

    // Asks the job to stop: its current wait ends with Cancelled and it unwinds normally,
    // releasing what it holds. Cancelling a finished job does nothing.
    void request_cancel();

    // Where the next poll resumes (set by the awaitable that suspends the job).
    void set_resume_point(std::coroutine_handle<> handle) { resume_point_ = handle; }

    WaitList& completion_waiters() { return completion_waiters_; }

    // Jobs live in the runtime's memory (platform::allocate), and allocation can fail.
    static void* operator new(usize size, const std::nothrow_t&) noexcept { return platform::allocate(size); }
    static void operator delete(void* pointer) noexcept { platform::free(pointer); }

protected:
    Job(Executor& executor, std::coroutine_handle<> root);

private:
    friend class Executor;

    Executor& executor_;
    std::coroutine_handle<> root_;
    std::coroutine_handle<> resume_point_;
    WaitList completion_waiters_;
    bool queued_ = false;
    bool complete_ = false;
    bool cancel_requested_ = false;

public:
    base::ListNode ready_node;
    base::ListNode all_node;  // on its executor's list of live jobs
};

// A job that owns its root task and keeps its result for whoever joins it.
template <typename T>
class TypedJob final : public Job {
public:
    TypedJob(Executor& executor, Task<T>&& task) : Job(executor, task.handle()), task_(base::move(task)) {}
    T take_result() { return task_.take_result(); }

private:
    Task<T> task_;
};

// The job being polled right now (null outside a poll).
Job* current_job();
Waker current_waker();
// True when the current job has been asked to stop; awaitables then return Cancelled.
bool current_job_cancelled();

// Suspends the current job until `job` completes (or the current job is woken to cancel).
template <typename T>
class CompletionAwaiter {
public:
    explicit CompletionAwaiter(base::RefPtr<TypedJob<T>> job) : job_(base::move(job)) {}
    ~CompletionAwaiter() { job_->completion_waiters().remove(waiter_); }
    bool await_ready() const { return job_->is_complete(); }
    void await_suspend(std::coroutine_handle<> handle) {
        current_job()->set_resume_point(handle);
        waiter_.waker = current_waker();
        job_->completion_waiters().add(waiter_);
    }
    void await_resume() { job_->completion_waiters().remove(waiter_); }

protected:
    base::RefPtr<TypedJob<T>> job_;
    WaitNode waiter_;
};

// co_await join(job): waits for the job to finish and takes its result (Cancelled if the waiting
// job is cancelled first).
template <typename T>
class JoinAwaiter : public CompletionAwaiter<T> {
public:
    using CompletionAwaiter<T>::CompletionAwaiter;
    T await_resume() {
        CompletionAwaiter<T>::await_resume();
        if (!this->job_->is_complete()) return base::Error::Cancelled;
        return this->job_->take_result();
    }
};

template <typename T>
JoinAwaiter<T> join(base::RefPtr<TypedJob<T>> job) {
    return JoinAwaiter<T>(base::move(job));
}

}  // namespace async
