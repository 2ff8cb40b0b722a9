#pragma once

// A test-and-test-and-set spin lock. It knows nothing of interrupts: the kernel wraps it in an
// interrupt-disabling guard (kernel/sync), and user space uses it only between its own threads.

#include <base/thread_safety.h>
#include <base/types.h>

namespace base {

inline void cpu_relax() {
#if defined(__x86_64__)
    __builtin_ia32_pause();
#endif
}

class CAPABILITY("lock") SpinLock {
public:
    void lock() ACQUIRE() {
        while (__atomic_exchange_n(&locked_, true, __ATOMIC_ACQUIRE)) {
            while (__atomic_load_n(&locked_, __ATOMIC_RELAXED)) cpu_relax();
        }
    }

    bool try_lock() TRY_ACQUIRE(true) { return !__atomic_exchange_n(&locked_, true, __ATOMIC_ACQUIRE); }

    void unlock() RELEASE() { __atomic_store_n(&locked_, false, __ATOMIC_RELEASE); }

    bool is_locked() const { return __atomic_load_n(&locked_, __ATOMIC_RELAXED); }

private:
    bool locked_ = false;
};

template <typename Lock>
class [[nodiscard]] SCOPED_CAPABILITY LockGuard {
public:
    explicit LockGuard(Lock& lock) ACQUIRE(lock) : lock_(lock) { lock_.lock(); }
    ~LockGuard() RELEASE() { lock_.unlock(); }
    LockGuard(const LockGuard&) = delete;
    LockGuard& operator=(const LockGuard&) = delete;

private:
    Lock& lock_;
};

}  // namespace base
