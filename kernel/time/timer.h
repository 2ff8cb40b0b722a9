#pragma once

// One-shot kernel timers, kept in deadline order. The earliest deadline programs the hardware
// timer; its interrupt runs the expired callbacks (in interrupt context: they may only wake).

#include <base/intrusive_list.h>

namespace time {

struct Timer {
    u64 deadline = 0;
    void (*callback)(Timer&) = nullptr;
    void* context = nullptr;
    base::ListNode node;

    bool is_armed() const { return node.is_linked(); }
};

// Both take the timer list's lock. A timer is armed and cancelled by its owner, one call at a
// time; it leaves the list by itself when it fires.
void arm(Timer& timer, u64 deadline);
void cancel(Timer& timer);

// Runs the callbacks of every expired timer and programs the next interrupt.
void run_expired_timers();

}  // namespace time
