#pragma once

// What big_exit and slow_exit build up for the kernel to tear down when they end: as much as the
// quotas allow of mappings and of handles in flight.

#include <poplar/syscall.h>

namespace teardown_load {

namespace sys = poplar::sys;
namespace abi = poplar::abi;

// One 64 MiB memory object mapped again and again, up to the mapping limit (a gigabyte).
inline void map_a_gigabyte() {
    auto object = sys::memory_object_create(64ull << 20, abi::memory_flags::writable);
    if (object.is_error()) return;
    while (sys::memory_object_map(object.value(), 0, abi::memory_flags::writable).is_ok()) {
    }
}

// 16 channels' queues filled with messages of 64 duplicated event handles, up to the quota.
inline void fill_queues_with_handles() {
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

}  // namespace teardown_load
