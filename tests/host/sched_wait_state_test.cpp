// The prepare/commit protocol of a waiting thread (kernel/sched/wait_state.h): no wake-up is ever
// lost, whatever the interleaving of waiter and waker, and each sleep is ended exactly once.

#include <sched/wait_state.h>

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace {

using Outcome = WaitState::WakeOutcome;

TEST(WaitState, AWakeBeforeTheCommitIsRememberedAndTheWaiterDoesNotSleep) {
    WaitState state;
    state.prepare();
    EXPECT_EQ(state.wake(2), Outcome::recorded);
    EXPECT_FALSE(state.commit());
    EXPECT_EQ(state.reason(), 2);
    EXPECT_EQ(state.wake(1), Outcome::ignored);  // one wake per wait counts
    state.finish();
    EXPECT_FALSE(state.is_waiting());
}

TEST(WaitState, ASleepingWaiterIsMadeRunnableByExactlyOneWake) {
    WaitState state;
    state.prepare();
    EXPECT_TRUE(state.commit());
    EXPECT_TRUE(state.is_waiting());
    EXPECT_EQ(state.wake(1), Outcome::must_run);
    EXPECT_EQ(state.wake(0), Outcome::ignored);
    EXPECT_EQ(state.reason(), 1);
    state.finish();
}

TEST(WaitState, AWakeOfAThreadThatIsNotWaitingDoesNothing) {
    WaitState state;
    EXPECT_EQ(state.wake(1), Outcome::ignored);
    state.prepare();
    EXPECT_TRUE(state.commit());  // the earlier wake is not carried into this wait
    EXPECT_EQ(state.wake(0), Outcome::must_run);
    state.finish();
}

TEST(WaitState, EachWaitStartsAfresh) {
    WaitState state;
    for (u8 round = 0; round < 8; ++round) {
        state.prepare();
        EXPECT_EQ(state.reason(), 0);
        EXPECT_TRUE(state.commit());
        EXPECT_EQ(state.wake(round % 3), Outcome::must_run);
        EXPECT_EQ(state.reason(), round % 3);
        state.finish();
    }
}

// Every interleaving of the waker's two steps (make the condition true; wake the thread if its
// observer is in place) among the waiter's five (put the observer in place; prepare; check;
// commit; sleep if told to). In none may the waiter sleep without being made runnable.
TEST(WaitState, NoInterleavingOfWaiterAndWakerLosesTheWakeUp) {
    constexpr int waiter_steps = 4;  // observe, prepare, check, commit
    int interleavings = 0;
    for (int set_at = 0; set_at <= waiter_steps; ++set_at) {
        for (int wake_at = set_at; wake_at <= waiter_steps; ++wake_at) {
            WaitState state;
            bool condition = false, observing = false, saw_condition = false, slept = false, made_runnable = false;
            auto waker_steps_before = [&](int step) {
                if (step == set_at) condition = true;
                if (step == wake_at && observing) made_runnable |= state.wake(0) == Outcome::must_run;
            };
            for (int step = 0; step <= waiter_steps; ++step) {
                waker_steps_before(step);
                switch (step) {
                    case 0:
                        observing = true;
                        break;
                    case 1:
                        state.prepare();
                        break;
                    case 2:
                        saw_condition = condition;
                        break;
                    case 3:
                        if (!saw_condition) slept = state.commit();
                        break;
                    default:
                        break;
                }
                if (saw_condition) break;  // done waiting
            }
            ++interleavings;
            EXPECT_TRUE(saw_condition || !slept || made_runnable)
                << "condition set before step " << set_at << ", wake before step " << wake_at;
            EXPECT_FALSE(made_runnable && !slept);  // never told to run a thread that is not asleep
        }
    }
    EXPECT_EQ(interleavings, 15);
}

// Real threads: a waiter that sleeps (spins on "runnable") whenever commit says so, and a waker
// that sets the condition and wakes. Thousands of rounds, none of which may hang.
TEST(WaitState, ThreadsRacingNeverLoseAWakeUp) {
    constexpr int rounds = 20000;
    WaitState state;
    std::atomic<int> condition{0};
    std::atomic<bool> runnable{false};
    std::atomic<int> must_runs{0};
    std::thread waker([&] {
        for (int round = 1; round <= rounds; ++round) {
            while (condition.load() != round - 1) std::this_thread::yield();
            condition.store(round);
            if (state.wake(0) == Outcome::must_run) {
                must_runs.fetch_add(1);
                runnable.store(true);
            }
        }
    });
    for (int round = 1; round <= rounds; ++round) {
        for (;;) {
            state.prepare();
            if (condition.load() >= round) break;
            if (state.commit()) {
                // Asleep: only a must_run ends this, and a lost wake-up would hang the test.
                while (!runnable.exchange(false)) std::this_thread::yield();
            }
        }
        state.finish();
    }
    waker.join();
    EXPECT_LE(must_runs.load(), rounds);
}

}  // namespace
