// A partner for hardening_test: a task that tries to make its own end crawl. It fills queues with
// handles in flight, maps a gigabyte, spawns spinner children, lowers its own weight to 1,
// signals its first start handle (an event) and sleeps until it is killed.

#include <poplar/event.h>
#include <poplar/start.h>
#include <poplar/task.h>

namespace sys = poplar::sys;
namespace abi = poplar::abi;

namespace {

void map_a_gigabyte() {
    auto object = sys::memory_object_create(64 * 1024 * 1024, abi::memory_flags::writable);
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
    for (auto& pair : ends) {
        for (;;) {
            abi::HandleValue copies[abi::max_message_handles];
            for (auto& copy : copies)
                copy = sys::handle_duplicate(event.value(), abi::rights::wait | abi::rights::transfer).value_or(0);
            if (sys::channel_send(pair[0], &byte, 1, copies, abi::max_message_handles).is_ok()) continue;
            for (auto copy : copies) (void)sys::handle_close(copy);
            break;
        }
    }
}

}  // namespace

int main(const abi::StartInfo& start_info) {
    if (start_info.handle_count < 1) return 3;
    poplar::Event ready(start_info.handles[0]);
    fill_queues_with_handles();
    map_a_gigabyte();
    for (int i = 0; i < 8; ++i) {
        auto child = poplar::Task::spawn("spinner");
        if (child.is_ok()) (void)child.value().release();
    }
    (void)sys::task_set_weight(abi::invalid_handle, 1);
    if (ready.signal().is_error()) return 4;
    for (;;) (void)sys::sleep(abi::deadline_infinite);
}
