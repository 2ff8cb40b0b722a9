// A supervisor that dies mid-call, for supervisor_test: registers init.supervisor (with the scope
// handed after its start channel), says so with one byte on its start channel, takes the kernel's
// session and its TaskFaulted, and exits without answering. Exits 0 when it got the request, 3
// otherwise.

#include <poplar/start.h>
#include <poplar/syscall.h>

#include "../init/supervisor.h"

namespace abi = poplar::abi;
namespace sys = poplar::sys;

int main(const abi::StartInfo& start_info) {
    if (start_info.handle_count < 1) return 3;
    poplar::Channel control(start_info.handles[0]);
    auto registration = supervision::register_supervisor();
    u8 ready = registration.is_ok() ? 0 : 1;
    if (control.send(base::ReadonlyBytes(&ready, 1)).is_error() || registration.is_error()) return 3;
    auto session = supervision::accept(registration.value(), sys::deadline_after(5'000'000'000));
    if (session.is_error()) return 3;
    static supervision::Request request;
    auto received = supervision::receive(session.value(), request, sys::deadline_after(5'000'000'000));
    return received.is_ok() && request.value.is<supervision::protocol::TaskFaulted>() ? 0 : 3;
}
