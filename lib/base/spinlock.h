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
    // The uncontended case falls straight through; the wait is placed out of the way (a few
    // instructions on every kernel path that takes a lock).
    void lock() ACQUIRE() {
        if (!try_lock()) [[unlikely]] {
            do {
                while (is_locked()) cpu_relax();
            } while (!try_lock());
        }
    }

    bool try_lock() TRY_ACQUIRE(true) {
#if defined(__x86_64__)
        // One instruction (clang makes a compare-and-swap loop of an atomic or): set the bit, and
        // find its old value in the carry flag. A locked instruction is a full barrier.
        bool was_locked;
        asm volatile("lock btsl $0, %0" : "+m"(word_), "=@ccc"(was_locked) : : "memory");
        return !was_locked;
#else
        return !__atomic_exchange_n(&word_, 1u, __ATOMIC_ACQUIRE);
#endif
    }

    void unlock() RELEASE() { __atomic_store_n(&word_, 0u, __ATOMIC_RELEASE); }

    bool is_locked() const { return __atomic_load_n(&word_, __ATOMIC_RELAXED) != 0; }

private:
    u32 word_ = 0;  // a word, for bts
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
