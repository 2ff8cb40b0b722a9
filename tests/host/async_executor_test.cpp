#include <async/combinators.h>
#include <async/executor.h>
#include <gtest/gtest.h>
#include <vector>

using async::Executor;
using async::Task;
using base::Error;
using base::ErrorOr;

namespace async::platform {
extern long test_allocations_left;
}

namespace {

// A flag jobs can wait for: the portable stand-in for a kernel event in these tests.
class Flag {
public:
    struct Awaiter {
        Flag& flag;
        async::WaitNode waiter;
        ~Awaiter() { flag.waiters_.remove(waiter); }
        bool await_ready() const { return flag.set_; }
        void await_suspend(std::coroutine_handle<> handle) {
            async::current_job()->set_resume_point(handle);
            waiter.waker = async::current_waker();
            flag.waiters_.add(waiter);
        }
        ErrorOr<void> await_resume() {
            flag.waiters_.remove(waiter);
            if (flag.set_) return {};
            return Error::Cancelled;
        }
    };
    Awaiter wait() { return Awaiter{*this, {}}; }
    void set() {
        set_ = true;
        waiters_.wake_all();
    }

private:
    bool set_ = false;
    async::WaitList waiters_;
};

Task<ErrorOr<int>> answer() { co_return 42; }

Task<ErrorOr<int>> add_one_to(Task<ErrorOr<int>> inner) {
    int value = CO_TRY(co_await inner);
    co_return value + 1;
}

Task<ErrorOr<int>> wait_then_return(Flag& flag, int value) {
    CO_TRY(co_await flag.wait());
    co_return value;
}

struct CleanupCounter {
    int* count;
    ~CleanupCounter() { ++*count; }
};

Task<ErrorOr<void>> hold_until_flag(Flag& flag, int* cleanups) {
    CleanupCounter guard{cleanups};
    CO_TRY(co_await flag.wait());
    co_return ErrorOr<void>{};
}

Task<ErrorOr<void>> record_after_yields(std::vector<int>& log, int id, int yields) {
    for (int i = 0; i < yields; ++i) {
        log.push_back(id);
        CO_TRY(co_await async::yield_now());
    }
    co_return ErrorOr<void>{};
}

struct AllocationLimit {
    explicit AllocationLimit(long count) { async::platform::test_allocations_left = count; }
    ~AllocationLimit() { async::platform::test_allocations_left = -1; }
};

}  // namespace

TEST(Executor, RunsATaskAndKeepsItsResultForJoin) {
    Executor executor;
    auto job = executor.spawn(answer()).release_value();
    EXPECT_EQ(executor.run(10), 1u);
    ASSERT_TRUE(job->is_complete());
    EXPECT_EQ(job->take_result().value(), 42);
    EXPECT_EQ(executor.live_jobs(), 0u);
}

TEST(Executor, AwaitingASubtaskRunsItInline) {
    Executor executor;
    auto job = executor.spawn(add_one_to(answer())).release_value();
    executor.run(10);
    EXPECT_EQ(job->take_result().value(), 43);
}

TEST(Executor, ASuspendedJobResumesOnlyWhenWoken) {
    Executor executor;
    Flag flag;
    auto job = executor.spawn(wait_then_return(flag, 7)).release_value();
    executor.run(10);
    EXPECT_FALSE(job->is_complete());
    EXPECT_EQ(executor.run(10), 0u);  // nothing ready: no polling, no busy work
    flag.set();
    executor.run(10);
    EXPECT_EQ(job->take_result().value(), 7);
}

TEST(Executor, JoinFromAnotherJob) {
    Executor executor;
    Flag flag;
    auto worker = executor.spawn(wait_then_return(flag, 5)).release_value();
    auto joiner = executor
                      .spawn([](base::RefPtr<async::TypedJob<ErrorOr<int>>> job) -> Task<ErrorOr<int>> {
                          int value = CO_TRY(co_await async::join(job));
                          co_return value * 2;
                      }(worker))
                      .release_value();
    executor.run(10);
    EXPECT_FALSE(joiner->is_complete());
    flag.set();
    executor.run(10);
    EXPECT_EQ(joiner->take_result().value(), 10);
}

TEST(Executor, CancellationEndsTheWaitAndReleasesWhatTheJobHeld) {
    Executor executor;
    Flag flag;
    int cleanups = 0;
    auto job = executor.spawn(hold_until_flag(flag, &cleanups)).release_value();
    executor.run(10);
    job->request_cancel();
    executor.run(10);
    ASSERT_TRUE(job->is_complete());
    EXPECT_EQ(job->take_result().error(), Error::Cancelled);
    EXPECT_EQ(cleanups, 1);
}

TEST(Executor, FrameAllocationFailureIsAnError) {
    Executor executor;
    {
        AllocationLimit limit(0);
        EXPECT_EQ(executor.spawn(answer()).error(), Error::NoMemory);
    }
    {
        Task<ErrorOr<int>> inner;
        {
            AllocationLimit limit(0);
            inner = answer();  // no frame
        }
        EXPECT_FALSE(inner.is_valid());
        auto job = executor.spawn(add_one_to(std::move(inner))).release_value();
        executor.run(10);
        EXPECT_EQ(job->take_result().error(), Error::NoMemory);  // awaiting it reported the failure
    }
    EXPECT_EQ(executor.live_jobs(), 0u);
}

TEST(Executor, PollsAreBudgetedAndYieldingInterleaves) {
    Executor executor;
    std::vector<int> log;
    auto a = executor.spawn(record_after_yields(log, 1, 3)).release_value();
    auto b = executor.spawn(record_after_yields(log, 2, 3)).release_value();
    EXPECT_EQ(executor.run(3), 3u);
    EXPECT_EQ(log, (std::vector<int>{1, 2, 1}));
    executor.run(100);
    EXPECT_EQ(log, (std::vector<int>{1, 2, 1, 2, 1, 2}));
    EXPECT_TRUE(a->is_complete() && b->is_complete());
}

TEST(Executor, StopsEarlyWhenItsOwnerSaysTimeIsUp) {
    Executor executor;
    std::vector<int> log;
    auto job = executor.spawn(record_after_yields(log, 1, 10)).release_value();
    int polls_allowed = 2;
    auto should_stop = [](void* context) { return --*static_cast<int*>(context) <= 0; };
    EXPECT_EQ(executor.run(100, should_stop, &polls_allowed), 2u);
    EXPECT_TRUE(executor.has_ready_jobs());
    executor.run(100);
    EXPECT_TRUE(job->is_complete());
}

TEST(Executor, ReadyHookFiresWhenWorkArrives) {
    Executor executor;
    int notifications = 0;
    executor.set_ready_hook([](Executor&, void* context) { ++*static_cast<int*>(context); }, &notifications);
    Flag flag;
    auto job = executor.spawn(wait_then_return(flag, 1)).release_value();
    EXPECT_EQ(notifications, 1);
    executor.run(10);
    flag.set();
    EXPECT_EQ(notifications, 2);
    executor.run(10);
    EXPECT_TRUE(job->is_complete());
}

// A poll that is interrupted by another executor's polls (in the kernel: a worker preempted in
// the middle of a poll while another worker runs) still knows which job it is.
Task<ErrorOr<void>> poll_another_executor_then_yield(Executor& other, bool& yielded) {
    other.run(10);
    CO_TRY(co_await async::yield_now());
    yielded = true;
    co_return ErrorOr<void>{};
}

TEST(Executor, APollSurvivesAnotherExecutorRunningInsideIt) {
    Executor outer, inner;
    auto inner_job = inner.spawn(answer()).release_value();
    bool yielded = false;
    auto job = outer.spawn(poll_another_executor_then_yield(inner, yielded)).release_value();
    outer.run(10);
    EXPECT_TRUE(inner_job->is_complete());
    EXPECT_TRUE(yielded);
    EXPECT_TRUE(job->is_complete());
}

TEST(Combinators, WhenAllWaitsForBoth) {
    Executor executor;
    Flag first, second;
    auto job = executor.spawn(async::when_all(wait_then_return(first, 1), wait_then_return(second, 2))).release_value();
    executor.run(100);
    first.set();
    executor.run(100);
    EXPECT_FALSE(job->is_complete());
    second.set();
    executor.run(100);
    auto both = job->take_result().release_value();
    EXPECT_EQ(both.first.value(), 1);
    EXPECT_EQ(both.second.value(), 2);
}

TEST(Combinators, WhenAnyCancelsTheLoser) {
    Executor executor;
    Flag first, second;
    auto job = executor.spawn(async::when_any(wait_then_return(first, 1), wait_then_return(second, 2))).release_value();
    executor.run(100);
    second.set();
    executor.run(100);
    ASSERT_TRUE(job->is_complete());
    auto both = job->take_result().release_value();
    EXPECT_EQ(both.winner, 1u);
    EXPECT_EQ(both.second.value(), 2);
    EXPECT_EQ(both.first.error(), Error::Cancelled);
    EXPECT_EQ(executor.live_jobs(), 0u);
}

TEST(Combinators, CancellingTheParentCancelsItsChildren) {
    Executor executor;
    Flag first, second;
    auto job = executor.spawn(async::when_all(wait_then_return(first, 1), wait_then_return(second, 2))).release_value();
    executor.run(100);
    EXPECT_EQ(executor.live_jobs(), 3u);
    job->request_cancel();
    executor.run(100);
    // The children see the cancellation (their waits end Cancelled), and when_all finishes only
    // after both have unwound.
    EXPECT_TRUE(job->is_complete());
    EXPECT_EQ(executor.live_jobs(), 0u);
    auto both = job->take_result();
    ASSERT_TRUE(both.is_ok());
    EXPECT_EQ(both.value().first.error(), Error::Cancelled);
    EXPECT_EQ(both.value().second.error(), Error::Cancelled);
}

// The worker may run a job to completion the moment it is published (it preempts the spawner):
// the spawner's reference must already be counted by then.
TEST(Executor, SpawnReturnsALiveJobEvenIfItCompletesAsSoonAsItIsPublished) {
    Executor executor;
    executor.set_ready_hook([](Executor& self, void*) { self.run(100); }, nullptr);
    auto job = executor.spawn(answer());
    ASSERT_TRUE(job.is_ok());
    EXPECT_TRUE(job.value()->is_complete());
    EXPECT_EQ(job.value()->take_result().value(), 42);
}

// A job woken while its last poll runs (a cancel from a system call that preempted the worker,
// say) completes in that poll and is never polled again: its coroutine has finished.
Task<ErrorOr<int>> wake_self_then_finish(Executor& executor) {
    executor.schedule(*async::current_job());
    co_return 7;
}

TEST(Executor, AJobWokenDuringItsLastPollIsNotPolledAgain) {
    Executor executor;
    auto job = executor.spawn(wake_self_then_finish(executor));
    ASSERT_TRUE(job.is_ok());
    EXPECT_EQ(executor.run(100), 1u);
    EXPECT_TRUE(job.value()->is_complete());
    EXPECT_FALSE(executor.has_ready_jobs());
    EXPECT_EQ(job.value()->take_result().value(), 7);
}
