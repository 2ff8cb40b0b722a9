// Measures wake-up latency: sleeps for short periods and reports, over the channel it was given,
// how late each wake-up was (nanoseconds, one u64 per message).

#include <poplar/start.h>
#include <poplar/syscall.h>

using namespace poplar;

int main(const abi::StartInfo& info) {
    if (info.handle_count < 1) return 1;
    abi::HandleValue report = info.handles[0];
    constexpr u64 period = 2'000'000;
    for (;;) {
        u64 deadline = sys::clock_read() + period;
        if (sys::sleep(deadline).is_error()) return 2;
        u64 late = sys::clock_read() - deadline;
        if (sys::channel_send(report, &late, sizeof(late), nullptr, 0).is_error()) return 0;
    }
}
