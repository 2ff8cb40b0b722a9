#pragma once

// A spin lock that also keeps interrupts off while held, so an interrupt handler on this CPU can
// never spin on a lock its own interrupted code holds, and the holder is never preempted (there
// is no preemption count: interrupts off is what keeps a thread on the CPU). The kernel's locks
// and their order are listed in docs/architecture.md ("Locking").

#include <arch/arch.h>
#include <base/assert.h>
#include <base/spinlock.h>
#include <base/thread_safety.h>

class CAPABILITY("lock") IrqSpinLock {
public:
    // Returns the interrupt state to restore on unlock.
    [[nodiscard]] bool lock() ACQUIRE() {
        bool were_enabled = arch::interrupts_enabled();
        arch::disable_interrupts();
        lock_.lock();
        return were_enabled;
    }
    void unlock(bool restore_interrupts) RELEASE() {
        lock_.unlock();
        if (restore_interrupts) arch::enable_interrupts();
    }
    bool is_locked() const { return lock_.is_locked(); }

    // For code that runs with interrupts off already (and keeps them off): the lock alone, with
    // no interrupt state to save or restore. Cheaper on paths that are hot (blocking).
    void lock_with_interrupts_off() ACQUIRE() { lock_.lock(); }
    void unlock_with_interrupts_off() RELEASE() { lock_.unlock(); }

    // Tells the analysis the lock is held where it cannot see the acquisition (a lock handed
    // over by a context switch). A spin lock has no owner, so this checks only that it is taken.
    void assert_held() const ASSERT_CAPABILITY(this) { ASSERT(is_locked()); }

private:
    base::SpinLock lock_;
};

class [[nodiscard]] SCOPED_CAPABILITY IrqSpinLockGuard {
public:
    explicit IrqSpinLockGuard(IrqSpinLock& lock) ACQUIRE(lock) : lock_(lock), restore_(lock.lock()) {}
    ~IrqSpinLockGuard() RELEASE() { lock_.unlock(restore_); }
    IrqSpinLockGuard(const IrqSpinLockGuard&) = delete;
    IrqSpinLockGuard& operator=(const IrqSpinLockGuard&) = delete;

private:
    IrqSpinLock& lock_;
    bool restore_;
};

// IrqSpinLockGuard where interrupts are known to be off (the caller asserts it).
class [[nodiscard]] SCOPED_CAPABILITY InterruptsOffLockGuard {
public:
    explicit InterruptsOffLockGuard(IrqSpinLock& lock) ACQUIRE(lock) : lock_(lock) { lock.lock_with_interrupts_off(); }
    ~InterruptsOffLockGuard() RELEASE() { lock_.unlock_with_interrupts_off(); }
    InterruptsOffLockGuard(const InterruptsOffLockGuard&) = delete;
    InterruptsOffLockGuard& operator=(const InterruptsOffLockGuard&) = delete;

private:
    IrqSpinLock& lock_;
};
