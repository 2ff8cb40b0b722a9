// A partner for hardening_test: builds up as much as its quotas allow that the kernel must tear
// down when it ends (a gigabyte of mappings, tens of thousands of handles in flight), signals its
// first start handle (an event), waits for its second (another event) and exits.

#include <poplar/channel.h>
#include <poplar/event.h>
#include <poplar/memory_object.h>
#include <poplar/start.h>

namespace sys = poplar::sys;
namespace abi = poplar::abi;

namespace {

constexpr u64 mib = 1024 * 1024;

void map_a_gigabyte() {
    auto object = sys::memory_object_create(64 * mib, abi::memory_flags::writable);
    if (object.is_error()) return;
    while (sys::memory_object_map(object.value(), 0, abi::memory_flags::writable).is_ok()) {
    }
}

void fill_queues_with_handles() {
    auto event = sys::event_create();
    if (event.is_error()) return;
    constexpr usize pairs = 16;
    abi::HandleValue ends[pairs][2];
    for (auto& pair : ends)
        if (sys::raw(abi::Syscall::channel_create, sys::arg(pair)).status != 0) return;
    u8 byte = 0;
    for (usize pair = 0; pair < pairs; ++pair) {
        for (;;) {
            abi::HandleValue copies[abi::max_message_handles];
            for (auto& copy : copies)
                copy = sys::handle_duplicate(event.value(), abi::rights::wait | abi::rights::transfer).value_or(0);
            if (sys::channel_send(ends[pair][0], &byte, 1, copies, abi::max_message_handles).is_ok()) continue;
            for (auto copy : copies) (void)sys::handle_close(copy);
            break;  // this queue is full, or the quota is used up
        }
    }
}

}  // namespace

int main(const abi::StartInfo& start_info) {
    if (start_info.handle_count < 2) return 3;
    poplar::Event ready(start_info.handles[0]);
    poplar::Event go(start_info.handles[1]);
    map_a_gigabyte();
    fill_queues_with_handles();
    if (ready.signal().is_error()) return 4;
    return go.wait(abi::signals::signaled).is_ok() ? 0 : 5;
}
