#include <base/spinlock.h>
#include <gtest/gtest.h>

#include <thread>
#include <vector>

TEST(SpinLock, TryLockFailsWhileHeldAndSucceedsOnceReleased) {
    base::SpinLock lock;
    EXPECT_FALSE(lock.is_locked());
    ASSERT_TRUE(lock.try_lock());
    EXPECT_TRUE(lock.is_locked());
    EXPECT_FALSE(lock.try_lock());
    lock.unlock();
    EXPECT_FALSE(lock.is_locked());
    EXPECT_TRUE(lock.try_lock());
    lock.unlock();
}

TEST(SpinLock, GuardHoldsTheLockForItsScope) {
    base::SpinLock lock;
    {
        base::LockGuard guard(lock);
        EXPECT_TRUE(lock.is_locked());
    }
    EXPECT_FALSE(lock.is_locked());
}

// The kernel runs on one CPU and never waits for a lock; here threads contend, so the wait (out of
// line, behind a single lock bts) is exercised and must still exclude.
TEST(SpinLock, ContendingThreadsNeverOverlap) {
    constexpr int threads = 4, rounds = 100000;
    base::SpinLock lock;
    long counter = 0;
    int inside = 0;
    bool overlapped = false;
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&] {
            for (int i = 0; i < rounds; ++i) {
                base::LockGuard guard(lock);
                if (++inside != 1) overlapped = true;
                ++counter;
                --inside;
            }
        });
    }
    for (auto& worker : workers) worker.join();
    EXPECT_FALSE(overlapped);
    EXPECT_EQ(counter, long(threads) * rounds);
}
