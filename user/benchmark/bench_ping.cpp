// The benchmark's partner task. With two events (ping, pong) it answers every ping with a pong;
// with no handles it just sleeps, to measure what an idle task costs. The benchmark kills it.

#include <poplar/start.h>
#include <poplar/syscall.h>

namespace sys = poplar::sys;
namespace abi = poplar::abi;

int main(const abi::StartInfo& start_info) {
    if (start_info.handle_count == 0) {
        (void)sys::sleep(abi::deadline_infinite);
        return 0;
    }
    if (start_info.handle_count < 2) return 3;
    abi::HandleValue ping = start_info.handles[0];
    abi::HandleValue pong = start_info.handles[1];
    for (;;) {
        if (sys::wait_one(ping, abi::signals::signaled, abi::deadline_infinite).is_error()) return 4;
        if (sys::event_clear(ping).is_error() || sys::event_signal(pong).is_error()) return 5;
    }
}
