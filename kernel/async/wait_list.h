#pragma once

// Jobs waiting for something (a join, an async event). A waiting awaitable links a WaitNode that
// lives in its coroutine frame; notifying wakes the jobs. Safe from interrupt handlers.

#include <async/platform.h>
#include <async/waker.h>
#include <base/intrusive_list.h>

namespace async {

struct WaitNode {
    Waker waker;
    base::ListNode node;
};

class WaitList {
public:
    void add(WaitNode& waiter) {
        platform::CriticalSection section;
        waiters_.push_back(waiter);
    }
    void remove(WaitNode& waiter) {
        platform::CriticalSection section;
        if (waiter.node.is_linked()) waiters_.remove(waiter);
    }
    void wake_all() {
        platform::CriticalSection section;
        while (WaitNode* waiter = waiters_.pop_front()) waiter->waker.wake();
    }
    bool is_empty() const { return waiters_.is_empty(); }

private:
    base::IntrusiveList<WaitNode, &WaitNode::node> waiters_;
};

}  // namespace async
