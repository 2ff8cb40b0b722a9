// A partner for hardening_test: a task that tries to make its own end crawl. It fills queues with
// handles in flight, maps a gigabyte, spawns spinner children, lowers its own weight to 1,
// signals its first start handle (an event) and sleeps until it is killed.

#include <poplar/event.h>
#include <poplar/start.h>
#include <poplar/task.h>

#include "teardown_load.h"

namespace sys = poplar::sys;
namespace abi = poplar::abi;

int main(const poplar::abi::StartInfo& start_info) {
    if (start_info.handle_count < 1) return 3;
    poplar::Event ready(start_info.handles[0]);
    teardown_load::fill_queues_with_handles();
    teardown_load::map_a_gigabyte();
    for (int i = 0; i < 8; ++i) {
        auto child = poplar::Task::spawn("spinner");
        if (child.is_ok()) (void)child.value().release();
    }
    (void)sys::task_set_weight(abi::invalid_handle, 1);
    if (ready.signal().is_error()) return 4;
    for (;;) (void)sys::sleep(abi::deadline_infinite);
}
