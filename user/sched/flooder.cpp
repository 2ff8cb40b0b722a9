// A task that tries to get more than its share by making the kernel work for it: it keeps its
// kernel work queue full of CPU-bound jobs, and spins while the queue is full.

#include <poplar/start.h>
#include <poplar/syscall.h>

using namespace poplar;

int main(const abi::StartInfo&) {
    for (;;) {
        if (sys::debug_kernel_work(50, abi::work_account::caller).is_ok()) continue;
        volatile u64 counter = 0;
        for (u32 i = 0; i < 100000; ++i) counter = counter + 1;
    }
}
