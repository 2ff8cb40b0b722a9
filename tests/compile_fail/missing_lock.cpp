// Compiled with -Wthread-safety -Werror (as the kernel is), this must fail: each CASE touches
// guarded state without its lock. LOCK picks the kernel's IrqSpinLock (1) or base::SpinLock (0).
// tests/compile_fail/CMakeLists.txt compiles every pair and checks the compiler's reason.

#include <base/spinlock.h>
#include <base/thread_safety.h>
#include <base/types.h>

#if LOCK == 1
#include <sync/spinlock.h>
using Lock = IrqSpinLock;
using Guard = IrqSpinLockGuard;
#else
using Lock = base::SpinLock;
using Guard = base::LockGuard<base::SpinLock>;
#endif

class Counter {
public:
    void add() {
#if CASE == 1  // data written without its lock
        ++count_;
#elif CASE == 2  // a function that needs the lock, called without it
        add_locked();
#elif CASE == 3  // a lock taken and never given back
        (void)lock_.lock();
        add_locked();
#else            // the control: correct, so it compiles
        Guard guard(lock_);
        add_locked();
#endif
    }

private:
    void add_locked() REQUIRES(lock_) { ++count_; }

    Lock lock_;
    u64 count_ GUARDED_BY(lock_) = 0;
};

int main() {
    Counter counter;
    counter.add();
}
