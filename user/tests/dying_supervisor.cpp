// A supervisor that dies mid-call, for supervisor_test: registers init.supervisor (with the scope
// handed after its start channel), starts `faulty` as its own child (only an ancestor is asked
// about a task), says so with one byte on its start channel, takes the kernel's session and its
// TaskFaulted, and exits without answering. Exits 0 when it got the request, 3 otherwise.
//
// With "sibling" as the first message on its start channel it starts nothing and waits for a
// question that must not come: the faulting task is then its sibling, not its descendant.

#include <base/string_view.h>
#include <poplar/start.h>
#include <poplar/start_argument.h>
#include <poplar/syscall.h>
#include <poplar/task.h>

#include "../init/supervisor.h"

namespace abi = poplar::abi;
namespace sys = poplar::sys;

int main(const abi::StartInfo& start_info) {
    if (start_info.handle_count < 1) return 3;
    poplar::Channel control(start_info.handles[0]);
    char mode[16];
    bool sibling = poplar::start_argument(start_info, mode, sizeof(mode)) == "sibling";
    auto registration = supervision::register_supervisor();
    poplar::Task child;
    if (registration.is_ok() && !sibling) {
        auto spawned = poplar::Task::spawn("faulty");
        if (spawned.is_ok()) child = spawned.release_value();
    }
    u8 ready = registration.is_ok() && (sibling || child) ? 0 : 1;
    if (control.send(base::ReadonlyBytes(&ready, 1)).is_error() || ready != 0) return 3;
    auto session = supervision::accept(registration.value(), sys::deadline_after(5'000'000'000));
    if (session.is_error()) return 3;
    static supervision::Request request;
    auto received = supervision::receive(session.value(), request, sys::deadline_after(5'000'000'000));
    return received.is_ok() && request.value.is<supervision::protocol::TaskFaulted>() ? 0 : 3;
}
