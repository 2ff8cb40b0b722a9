// The host's side of kernel/async/platform.h: malloc, a manual clock, and an allocation limit so
// tests can make allocation fail.

#include <async/platform.h>
#include <cstdlib>

namespace async::platform {

u64 test_clock_nanoseconds = 0;
long test_allocations_left = -1;  // -1: unlimited

void* allocate(usize size) {
    if (test_allocations_left == 0) return nullptr;
    if (test_allocations_left > 0) --test_allocations_left;
    return std::malloc(size);
}
void free(void* pointer) { std::free(pointer); }
u64 now_nanoseconds() { return test_clock_nanoseconds; }
CriticalSection::CriticalSection() : restore_(false) {}
CriticalSection::~CriticalSection() {}
void assert_thread_context() {}

void*& current_job_slot() {
    static void* slot = nullptr;
    return slot;
}

}  // namespace async::platform
