#pragma once

// The arch interface to threads: the register state kept while a thread is switched out, how a
// new thread's first switch lands where it should, and the switch itself.

#include <base/types.h>

namespace arch {

struct ThreadContext {
    u64 saved_stack_pointer = 0;
    u64 kernel_stack_top = 0;
    alignas(16) u8 fpu_state[512] = {};  // FXSAVE image of the user's x87/SSE registers
};

// A thread whose first switch calls `first_run(argument)` on its kernel stack and then enters
// user mode at `entry` with the stack `user_stack` and `start_argument` in the first argument
// register.
void prepare_user_thread(ThreadContext& context, u64 kernel_stack_top, u64 entry, u64 user_stack, u64 start_argument,
                         void (*first_run)(void*), void* argument);

// A kernel thread whose first switch calls `function(argument)`, which must never return.
void prepare_kernel_thread(ThreadContext& context, u64 kernel_stack_top, void (*function)(void*), void* argument);

// Saves `from`, loads `to`; returns when something switches back to `from`. Interrupts are off.
void switch_threads(ThreadContext& from, ThreadContext& to);

}  // namespace arch
