#pragma once

// Running tasks side by side from a job. Each child runs as a job of its own on the same loop;
// these never return before every child has finished, so no child (nor a kernel operation of
// one, which may write into its frame) outlives the frame that started it.
//
//   auto both = CO_TRY(co_await async::when_any(read_request(channel), async::wait(task, terminated)));
//   if (both.winner == 0) ...both.first...
//
// The first child to finish wins; the others are cancelled and awaited. A loser may still have a
// result other than Cancelled (it finished in the same round as the winner, or its operation had
// completed when the cancel came): both results are given, so nothing it received is lost.

#include <poplar/async/executor.h>
#include <poplar/async/operations.h>

namespace poplar::async {

// As the kernel's when_any gives them (kernel/async/combinators.h).
template <typename A, typename B>
struct Both {
    A first;
    B second;
    usize winner;  // 0: first, 1: second
};

namespace detail {
// Cancels the group's members and waits for all of them.
inline Task<base::ErrorOr<void>> settle(Group& group) {
    group.cancel_members();
    co_await group.until_all();
    co_return {};
}
}  // namespace detail

template <typename A, typename B>
Task<base::ErrorOr<Both<A, B>>> when_any(Task<A> first, Task<B> second) {
    Loop& loop = current_loop();
    Group group;
    auto first_job = loop.spawn(base::move(first), &group);
    auto second_job = loop.spawn(base::move(second), &group);
    if (first_job.is_error() || second_job.is_error()) {
        CO_TRY(co_await detail::settle(group));
        co_return first_job.is_error() ? first_job.error() : second_job.error();
    }
    co_await group.until_first();
    usize winner = group.first_finished() == first_job.value().get() ? 0 : 1;
    group.cancel_members();
    co_await group.until_all();
    co_return Both<A, B>{first_job.value()->take_result(), second_job.value()->take_result(), winner};
}

// The same for any number of tasks of one type: the index of the first to finish, every result
// in `results` (as many as `tasks`; each task is moved out). NoMemory (nothing started) if the
// bookkeeping cannot be allocated; a task whose job cannot be started gives NoMemory as its result.
template <typename T>
Task<base::ErrorOr<usize>> when_any(base::Span<Task<T>> tasks, base::Span<T> results) {
    if (tasks.size() == 0 || results.size() != tasks.size()) co_return base::Error::InvalidArgument;
    using JobPointer = base::RefPtr<TypedJob<T>>;
    auto* jobs = static_cast<JobPointer*>(poplar::allocate(tasks.size() * sizeof(JobPointer)));
    if (!jobs) co_return base::Error::NoMemory;
    Loop& loop = current_loop();
    Group group;
    for (usize i = 0; i < tasks.size(); ++i) {
        auto job = loop.spawn(base::move(tasks[i]), &group);
        new (&jobs[i]) JobPointer(job.is_ok() ? job.release_value() : JobPointer());
    }
    co_await group.until_first();
    usize winner = tasks.size();
    for (usize i = 0; i < tasks.size(); ++i)
        if (jobs[i] && group.first_finished() == jobs[i].get()) winner = i;
    group.cancel_members();
    co_await group.until_all();
    for (usize i = 0; i < tasks.size(); ++i) {
        results[i] = jobs[i] ? jobs[i]->take_result() : T(base::Error::NoMemory);
        jobs[i].~JobPointer();
    }
    poplar::deallocate(jobs);
    if (winner == tasks.size()) co_return base::Error::NoMemory;  // not one could start
    co_return winner;
}

namespace detail {
inline Task<base::ErrorOr<void>> sleep_until_task(u64 deadline) { co_return co_await sleep_until(deadline); }
}  // namespace detail

// `task`'s result, or TimedOut if `deadline` passes first (the task is then cancelled and
// awaited; if it had finished all the same, its own result is given).
template <typename T>
Task<T> with_deadline(u64 deadline, Task<T> task) {
    auto both = co_await when_any(base::move(task), detail::sleep_until_task(deadline));
    if (both.is_error()) co_return both.error();
    auto& result = both.value();
    if (result.winner == 1 && result.first.failed_with(base::Error::Cancelled)) co_return base::Error::TimedOut;
    co_return base::move(result.first);
}

}  // namespace poplar::async
