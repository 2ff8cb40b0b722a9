// The kernel's locks on the target (test=ktest): a lock gives back the interrupt state it found,
// nested locks unwind in order, and the interrupts-off variant leaves interrupts alone.

#include <arch/arch.h>
#include <sync/spinlock.h>
#include <test/kernel_test.h>

namespace {

// Runs `check` with interrupts on or off, as asked; they are as before afterwards.
template <typename Check>
void with_interrupts(bool enabled, Check check) {
    arch::InterruptGuard saved;
    if (enabled) arch::enable_interrupts();
    check();
    arch::disable_interrupts();
}

}  // namespace

KERNEL_TEST(irq_spin_lock, gives_back_interrupts_that_were_on) {
    IrqSpinLock lock;
    with_interrupts(true, [&] {
        {
            IrqSpinLockGuard guard(lock);
            KEXPECT(lock.is_locked());
            KEXPECT(!arch::interrupts_enabled());
        }
        KEXPECT(!lock.is_locked());
        KEXPECT(arch::interrupts_enabled());
    });
}

KERNEL_TEST(irq_spin_lock, leaves_interrupts_off_that_were_off) {
    IrqSpinLock lock;
    with_interrupts(false, [&] {
        {
            IrqSpinLockGuard guard(lock);
            KEXPECT(lock.is_locked());
        }
        KEXPECT(!lock.is_locked());
        KEXPECT(!arch::interrupts_enabled());
    });
}

// As a signal lock and then the scheduler's: the inner lock found interrupts off and leaves them
// off when it goes, for the outer one still holds; the outer one turns them back on.
KERNEL_TEST(irq_spin_lock, nested_locks_unwind_in_order) {
    IrqSpinLock outer, inner;
    with_interrupts(true, [&] {
        {
            IrqSpinLockGuard outer_guard(outer);
            {
                IrqSpinLockGuard inner_guard(inner);
                KEXPECT(outer.is_locked() && inner.is_locked());
            }
            KEXPECT(outer.is_locked() && !inner.is_locked());
            KEXPECT(!arch::interrupts_enabled());
        }
        KEXPECT(!outer.is_locked());
        KEXPECT(arch::interrupts_enabled());
    });
}

KERNEL_TEST(irq_spin_lock, the_interrupts_off_guard_takes_only_the_lock) {
    IrqSpinLock lock;
    with_interrupts(false, [&] {
        {
            InterruptsOffLockGuard guard(lock);
            KEXPECT(lock.is_locked());
            lock.assert_held();
        }
        KEXPECT(!lock.is_locked());
        KEXPECT(!arch::interrupts_enabled());
    });
}
