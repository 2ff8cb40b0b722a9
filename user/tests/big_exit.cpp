// A partner for hardening_test: builds up as much as its quotas allow that the kernel must tear
// down when it ends (a gigabyte of mappings, tens of thousands of handles in flight), signals its
// first start handle (an event), waits for its second (another event) and exits.

#include <poplar/event.h>
#include <poplar/start.h>

#include "teardown_load.h"

int main(const poplar::abi::StartInfo& start_info) {
    if (start_info.handle_count < 2) return 3;
    poplar::Event ready(start_info.handles[0]);
    poplar::Event go(start_info.handles[1]);
    teardown_load::map_a_gigabyte();
    teardown_load::fill_queues_with_handles();
    if (ready.signal().is_error()) return 4;
    return go.wait(poplar::abi::signals::signaled).is_ok() ? 0 : 5;
}
