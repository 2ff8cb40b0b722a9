#pragma once

// A spin lock that also keeps interrupts off while held, so an interrupt handler on this CPU can
// never spin on a lock its own interrupted code holds.

#include <arch/arch.h>
#include <base/spinlock.h>

class IrqSpinLock {
public:
    // Returns the interrupt state to restore on unlock.
    bool lock() {
        bool were_enabled = arch::interrupts_enabled();
        arch::disable_interrupts();
        lock_.lock();
        return were_enabled;
    }
    void unlock(bool restore_interrupts) {
        lock_.unlock();
        if (restore_interrupts) arch::enable_interrupts();
    }
    bool is_locked() const { return lock_.is_locked(); }

private:
    base::SpinLock lock_;
};

class [[nodiscard]] IrqSpinLockGuard {
public:
    explicit IrqSpinLockGuard(IrqSpinLock& lock) : lock_(lock), restore_(lock.lock()) {}
    ~IrqSpinLockGuard() { lock_.unlock(restore_); }
    IrqSpinLockGuard(const IrqSpinLockGuard&) = delete;
    IrqSpinLockGuard& operator=(const IrqSpinLockGuard&) = delete;

private:
    IrqSpinLock& lock_;
    bool restore_;
};
