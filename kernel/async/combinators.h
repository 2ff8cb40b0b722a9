#pragma once

// Running several tasks at once from a job. Each child runs as a job of its own on the same
// executor (and so is charged to the same account); the combinators never return before every
// child has finished, so no child outlives the frame that started it.

#include <async/executor.h>

namespace async {

template <typename A, typename B>
struct Both {
    A first;
    B second;
    usize winner = 0;  // when_any: which finished first (0 or 1)
};

namespace detail {

// Waits for a child job to finish. A cancelled parent cancels the child it waits for, and still
// waits for it to unwind (structured concurrency: no child outlives its parent's frame).
template <typename T>
Task<T> finish(base::RefPtr<TypedJob<T>> job) {
    while (!job->is_complete()) {
        if (current_job_cancelled()) job->request_cancel();
        co_await CompletionAwaiter<T>(job);
    }
    co_return job->take_result();
}

// Wakes the waiting job when either child finishes.
struct FirstOfTwo {
    WaitList* lists[2];
    WaitNode waiters[2];
    bool ready;
    ~FirstOfTwo() {
        lists[0]->remove(waiters[0]);
        lists[1]->remove(waiters[1]);
    }
    bool await_ready() const { return ready; }
    void await_suspend(std::coroutine_handle<> handle) {
        current_job()->set_resume_point(handle);
        for (int i = 0; i < 2; ++i) {
            waiters[i].waker = current_waker();
            lists[i]->add(waiters[i]);
        }
    }
    void await_resume() {
        lists[0]->remove(waiters[0]);
        lists[1]->remove(waiters[1]);
    }
};

}  // namespace detail

// Both results, once both tasks have finished.
template <typename A, typename B>
Task<base::ErrorOr<Both<A, B>>> when_all(Task<A> first, Task<B> second) {
    Executor& executor = current_job()->executor();
    auto first_job = CO_TRY(executor.spawn(base::move(first)));
    auto second_job = executor.spawn(base::move(second));
    if (second_job.is_error()) {
        first_job->request_cancel();
        (void)co_await detail::finish(first_job);
        co_return second_job.error();
    }
    A first_result = co_await detail::finish(first_job);
    B second_result = co_await detail::finish(second_job.value());
    co_return Both<A, B>{base::move(first_result), base::move(second_result), 0};
}

// The first task to finish wins; the other is cancelled and awaited before this returns.
template <typename A, typename B>
Task<base::ErrorOr<Both<A, B>>> when_any(Task<A> first, Task<B> second) {
    Executor& executor = current_job()->executor();
    auto first_job = CO_TRY(executor.spawn(base::move(first)));
    auto second_job_result = executor.spawn(base::move(second));
    if (second_job_result.is_error()) {
        first_job->request_cancel();
        (void)co_await detail::finish(first_job);
        co_return second_job_result.error();
    }
    auto second_job = second_job_result.release_value();
    while (!first_job->is_complete() && !second_job->is_complete() && !current_job_cancelled())
        co_await detail::FirstOfTwo{{&first_job->completion_waiters(), &second_job->completion_waiters()}, {}, false};
    usize winner = first_job->is_complete() ? 0 : 1;
    first_job->request_cancel();
    second_job->request_cancel();
    A first_result = co_await detail::finish(first_job);
    B second_result = co_await detail::finish(second_job);
    co_return Both<A, B>{base::move(first_result), base::move(second_result), winner};
}

}  // namespace async
