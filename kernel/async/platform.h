#pragma once

// What the async runtime needs from its environment. The kernel implements it with the kernel
// heap, the monotonic clock and interrupt masking (platform_kernel.cpp); host tests with malloc
// and a manual clock (tests/host/async_platform_host.cpp).

#include <base/types.h>

namespace async::platform {

// Coroutine frames and runtime objects. Null when out of memory.
void* allocate(usize size);
void free(void* pointer);

u64 now_nanoseconds();

// Keeps interrupt handlers (which may wake jobs) off the runtime's queues.
class CriticalSection {
public:
    CriticalSection();
    ~CriticalSection();
    CriticalSection(const CriticalSection&) = delete;
    CriticalSection& operator=(const CriticalSection&) = delete;

private:
    [[maybe_unused]] bool restore_;
};

// Checks the rule that coroutines resume only in thread context, never in an interrupt handler.
void assert_thread_context();

// Where the job being polled is recorded: per thread, because a worker thread may be preempted in
// the middle of a poll while another worker polls its own jobs.
void*& current_job_slot();

}  // namespace async::platform
