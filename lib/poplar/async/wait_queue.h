#pragma once

// Local waits between jobs of one executor (no system call): a job waits on a WaitQueue until
// another job notifies it. A waiting job that is cancelled stops waiting with Cancelled.
//
//   WaitQueue room;
//   while (full()) CO_TRY(co_await room.wait());   // one job
//   room.notify_one();                             // another, after making room

#include <base/assert.h>
#include <base/intrusive_list.h>
#include <base/result.h>
#include <poplar/async/suspension.h>
#include <coroutine>

namespace poplar::async {

class Job;

class WaitQueue {
public:
    class Waiter final : public Suspension {
    public:
        explicit Waiter(WaitQueue& queue) : queue_(queue) {}
        Waiter(const Waiter&) = delete;
        Waiter& operator=(const Waiter&) = delete;
        ~Waiter();

        bool await_ready();
        void await_suspend(std::coroutine_handle<> handle);
        base::ErrorOr<void> await_resume() const;
        void cancel() override;

    private:
        friend class WaitQueue;
        WaitQueue& queue_;
        Job* job_ = nullptr;
        bool cancelled_ = false;

    public:
        base::ListNode node;
    };

    WaitQueue() = default;
    // Nobody may still wait on a queue that goes (its owner outlives the jobs that use it).
    ~WaitQueue() { ASSERT(waiters_.is_empty()); }
    WaitQueue(const WaitQueue&) = delete;
    WaitQueue& operator=(const WaitQueue&) = delete;

    // co_await wait(): ok once notified; Cancelled if the job is (or gets) cancelled.
    Waiter wait() { return Waiter(*this); }

    // Wakes the longest waiting job / every waiting job.
    void notify_one();
    void notify_all();
    bool has_waiters() const { return !waiters_.is_empty(); }

private:
    base::IntrusiveList<Waiter, &Waiter::node> waiters_;
};

}  // namespace poplar::async
