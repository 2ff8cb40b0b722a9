// A partner for spawn_test: takes memory objects of 1 MiB until the kernel refuses (its quota or
// the machine's memory), signals its first start handle (an event), and holds them until killed.

#include <poplar/event.h>
#include <poplar/start.h>

int main(const poplar::abi::StartInfo& start_info) {
    if (start_info.handle_count < 1) return 3;
    poplar::Event done(start_info.handles[0]);
    while (poplar::sys::memory_object_create(1 << 20, poplar::abi::memory_flags::writable).is_ok()) {
    }
    if (done.signal().is_error()) return 4;
    (void)poplar::sys::sleep(poplar::abi::deadline_infinite);
    return 0;
}
