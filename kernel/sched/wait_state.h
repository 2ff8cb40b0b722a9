#pragma once

// The prepare/commit protocol of one waiting thread, so that no wake-up is ever lost:
//
//     waiter                                   waker
//     put observers in place                   change state (raise a signal)
//     prepare()                                notify observers -> wake()
//     if (ready()) finish(), done                  true: the waiter sleeps, make it runnable
//     if (commit()) sleep; finish()
//
// A wake that lands after prepare() but before commit() is remembered (commit() then says not
// to sleep), and one that lands before prepare() is seen by the ready() check that follows it.
// Lock-free, so a waker never needs the waiter's locks. Portable: host tests drive it.

#include <base/types.h>

class WaitState {
public:
    enum class WakeOutcome {
        ignored,   // the waiter is not waiting, or was already woken
        recorded,  // between prepare() and commit(): commit() will say not to sleep
        must_run,  // the waiter sleeps: the caller makes it runnable
    };

    // The waiter is about to check its condition.
    void prepare() { __atomic_store_n(&state_, armed, __ATOMIC_SEQ_CST); }

    // The waiter's condition was false: true if it must sleep now, false if a wake came since
    // prepare() (then it checks again).
    bool commit() {
        u8 expected = armed;
        return __atomic_compare_exchange_n(&state_, &expected, sleeping, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    }

    // The reason given by the wake that ended the wait (0 if none did), for the waiter to read
    // before finish().
    u8 reason() const { return __atomic_load_n(&state_, __ATOMIC_SEQ_CST) >> phase_bits; }

    // The wait is over (after sleeping, or without sleeping).
    void finish() { __atomic_store_n(&state_, idle, __ATOMIC_SEQ_CST); }

    // A waker, with a reason (below 32) the waiter will see. Exactly one wake per wait counts.
    WakeOutcome wake(u8 why) {
        u8 state = __atomic_load_n(&state_, __ATOMIC_SEQ_CST);
        for (;;) {
            u8 phase = state & phase_mask, next;
            if (phase == armed)
                next = woken;
            else if (phase == sleeping)
                next = ended;
            else
                return WakeOutcome::ignored;
            next = static_cast<u8>(next | (why << phase_bits));
            if (__atomic_compare_exchange_n(&state_, &state, next, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
                return phase == sleeping ? WakeOutcome::must_run : WakeOutcome::recorded;
        }
    }

    bool is_waiting() const {
        u8 phase = __atomic_load_n(&state_, __ATOMIC_SEQ_CST) & phase_mask;
        return phase == armed || phase == sleeping;
    }

private:
    // The phase in the low bits, the wake's reason above them.
    static constexpr u8 phase_bits = 3, phase_mask = (1 << phase_bits) - 1;
    static constexpr u8 idle = 0, armed = 1, woken = 2, sleeping = 3, ended = 4;
    u8 state_ = idle;
};
