#pragma once

// A job is one spawned root task on an executor: it has its own cancellation, and others can wait
// for it to finish. A job that waits is suspended on a Suspension (a ring operation, a local wait
// queue, a group of child jobs); cancelling the job tells that suspension, which decides how the
// wait ends (poplar/async/executor.h has the rules).

#include <base/intrusive_list.h>
#include <base/ref_counted.h>
#include <poplar/async/suspension.h>
#include <poplar/async/task.h>
#include <poplar/async/wait_queue.h>
#include <poplar/heap.h>

namespace poplar::async {

class Loop;
class Group;

class Job : public base::RefCounted<Job> {
public:
    virtual ~Job() = default;

    Loop& loop() const { return loop_; }
    bool is_complete() const { return complete_; }
    bool cancel_requested() const { return cancel_requested_; }

    // Asks the job to stop: the operation it waits for is cancelled (and still awaited), and every
    // later operation it starts completes with Cancelled at once. A finished job ignores it.
    void request_cancel();

    // Called by an awaitable as it suspends the job: where to resume, and what it waits for.
    void suspend(std::coroutine_handle<> resume_point, Suspension* on) {
        resume_point_ = resume_point;
        suspension_ = on;
    }
    // Called by whoever ends the wait: the job is ready again.
    void wake();

    // Woken when the job finishes (join).
    WaitQueue& completion_waiters() { return completion_waiters_; }

    static void* operator new(usize size, const std::nothrow_t&) noexcept { return poplar::allocate(size); }
    static void operator delete(void* pointer) noexcept { poplar::deallocate(pointer); }

protected:
    Job(Loop& loop, std::coroutine_handle<> root) : loop_(loop), root_(root), resume_point_(root) {}

private:
    friend class Loop;
    friend class Group;

    Loop& loop_;
    std::coroutine_handle<> root_;
    std::coroutine_handle<> resume_point_;
    Suspension* suspension_ = nullptr;
    Group* group_ = nullptr;  // when_any's children: told when this one finishes
    WaitQueue completion_waiters_;
    bool queued_ = false;
    bool complete_ = false;
    bool cancel_requested_ = false;

public:
    base::ListNode ready_node;  // on the loop's ready queue
    base::ListNode all_node;    // on the loop's list of live jobs
    base::ListNode group_node;  // in its group
};

// A job that owns its root task and keeps its result for whoever joins it.
template <typename T>
class TypedJob final : public Job {
public:
    TypedJob(Loop& loop, Task<T>&& task) : Job(loop, task.handle()), task_(base::move(task)) {}
    T take_result() { return task_.take_result(); }

private:
    Task<T> task_;
};

// The job being polled now (null outside a poll): awaitables use it.
Job* current_job();

}  // namespace poplar::async
