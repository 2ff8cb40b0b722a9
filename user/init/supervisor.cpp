#include "supervisor.h"

#include <base/format.h>
#include <poplar/async/operations.h>
#include <poplar/async/when_any.h>
#include <poplar/print.h>
#include <poplar/protocols/service_registry.h>
#include <poplar/service.h>
#include <poplar/syscall.h>
#include <ptah/ptah.h>

namespace supervision {

namespace abi = poplar::abi;
namespace sys = poplar::sys;

namespace {

// After the program's task ends with a fault, how long to wait for the kernel's question.
constexpr u64 verdict_wait_nanoseconds = 2'000'000'000;

base::ErrorOr<u64> object_id(const poplar::Handle& handle) { return TRY(sys::handle_info(handle.value())).object_id; }

poplar::async::Task<base::ErrorOr<u32>> wait_for(const poplar::Handle& object, u32 wanted) {
    co_return co_await poplar::async::wait(object, wanted);
}

}  // namespace

base::ErrorOr<poplar::Channel> accept(const poplar::Channel& registration, u64 deadline) {
    auto client = TRY(poplar::accept_client(registration, deadline));
    // Only the kernel asks (client 0; no user task has that id): a task that subscribes is
    // closed on, or it could answer for the kernel (TaskRestarted with a task of its own).
    if (client.task_id != 0) return base::Error::AccessDenied;
    return base::move(client.channel);
}

base::ErrorOr<void> receive(const poplar::Channel& session, Request& request, u64 deadline) {
    // The deadline is absolute: wait for it here, then take the message without waiting.
    TRY(session.wait(abi::signals::readable | abi::signals::peer_closed, deadline));
    poplar::PtahChannel transport(session, 0);
    ptah::TransferredHandle handles[1];
    auto sizes = TRY(transport.receive(base::Bytes(request.bytes), base::Span<ptah::TransferredHandle>(handles, 1)));
    auto decoded =
        ptah::decode<Supervisor::Request>(base::ReadonlyBytes(request.bytes, sizes.bytes),
                                          base::Span<const ptah::TransferredHandle>(handles, sizes.handles), {});
    if (decoded.is_error()) {
        poplar::close_handles(base::Span<const ptah::TransferredHandle>(handles, sizes.handles));
        return base::Error::MalformedMessage;
    }
    request.value = decoded.value();
    request.task = poplar::Task(sizes.handles == 1 ? handles[0].value : abi::invalid_handle);
    return {};
}

base::ErrorOr<void> reply(const poplar::Channel& session, const Supervisor::Response& response) {
    u8 bytes[64];
    ptah::HandleList handles;
    auto size = ptah::encode(response, base::Bytes(bytes), handles);
    if (size.is_error()) return base::Error::InvalidArgument;
    return session.send(base::ReadonlyBytes(bytes, size.value().bytes));
}

FaultText describe(const protocol::TaskFaulted& fault) {
    FaultText result;
    if (fault.vector == 14)
        base::format_to(result.text, sizeof(result.text), "page fault at {:#x}", fault.fault_address);
    else
        base::format_to(result.text, sizeof(result.text), "exception {} at {:#x}", fault.vector,
                        fault.instruction_pointer);
    return result;
}

base::ErrorOr<ProgramSupervisor> ProgramSupervisor::create(u32 restarts) {
    ProgramSupervisor supervisor;
    supervisor.registration_ = TRY(register_supervisor());
    supervisor.restarts_allowed_ = restarts;
    return supervisor;
}

base::ErrorOr<void> ProgramSupervisor::answer(poplar::Task& task, base::StringView name) {
    Request request;
    auto received = supervision::receive(session_, request, abi::deadline_now);
    if (received.is_error()) {
        session_.reset();  // the kernel is done with it (or sent what we cannot read)
        return {};
    }
    if (auto* fault = request.value.get_if<protocol::TaskFaulted>()) {
        bool ours = fault->task_id == TRY(object_id(task));
        bool restart = ours && restarts_ < restarts_allowed_;
        poplar::println("kernel -> user: supervisor: task {} faulted ({}, status {}); {}", fault->name,
                        describe(*fault).text, fault->exit_status, restart ? "restarting" : "releasing");
        if (ours && !restart) released_ = true;
        return reply(session_,
                     restart ? Supervisor::Response(protocol::Restart{}) : Supervisor::Response(protocol::Release{}));
    }
    if (auto* exit = request.value.get_if<protocol::TaskExited>()) {
        bool ours = exit->task_id == TRY(object_id(task));
        bool restart = ours && restarts_ < restarts_allowed_;
        poplar::println("kernel -> user: supervisor: task {} exited with status {}; {}", exit->name, exit->exit_status,
                        restart ? "restarting" : "releasing");
        if (ours && !restart) released_ = true;
        return reply(session_,
                     restart ? Supervisor::Response(protocol::Restart{}) : Supervisor::Response(protocol::Release{}));
    }
    const auto& restarted = request.value.get<protocol::TaskRestarted>();
    if (restarted.old_task_id == TRY(object_id(task))) {
        ++restarts_;
        task = base::move(request.task);
        poplar::println("kernel -> user: supervisor: {} restarted (restart {} of {})", name, restarts_,
                        restarts_allowed_);
    }
    return reply(session_, protocol::Noted{});
}

poplar::async::Task<base::ErrorOr<i64>> ProgramSupervisor::wait(poplar::Task& task, base::StringView name) {
    auto status = co_await serve_until_end(task, name);
    session_.reset();  // nothing of the program's run is left open (init counts the objects next)
    co_return status;
}

poplar::async::Task<base::ErrorOr<i64>> ProgramSupervisor::serve_until_end(poplar::Task& task, base::StringView name) {
    u64 verdict_deadline = abi::deadline_infinite;
    bool ended = false;
    i64 status = 0;
    for (;;) {
        // One session at a time, to its end: a restarted task that faults at once is asked about
        // in a session opened after the one that announces it.
        bool in_session = session_.is_valid();
        const poplar::Handle& kernel_side = in_session ? session_ : registration_;
        u32 wanted = in_session ? abi::signals::readable | abi::signals::peer_closed : abi::signals::readable;
        bool asked;
        if (ended) {
            // Only the kernel's question is left to wait for, until the verdict deadline.
            auto ready = co_await poplar::async::wait(kernel_side, wanted, verdict_deadline);
            if (ready.failed_with(base::Error::TimedOut)) co_return status;  // the kernel did not ask: let go
            CO_TRY(ready);
            asked = true;
        } else {
            // The kernel asks, or the task ends: whichever comes first (the other wait is
            // cancelled); a question that came with the end is answered first.
            auto first = CO_TRY(co_await poplar::async::when_any(wait_for(kernel_side, wanted),
                                                                 wait_for(task, abi::signals::terminated)));
            asked = first.first.is_ok();
            if (!asked) CO_TRY(first.second);
        }
        if (asked && !in_session) {
            auto session = accept(registration_, abi::deadline_now);
            if (session.is_ok()) session_ = base::move(session.value());
            continue;
        }
        if (asked) {
            poplar::HandleValue before = task.value();
            CO_TRY(answer(task, name));
            if (task.value() != before) {  // restarted: wait for the new task
                ended = false;
                verdict_deadline = abi::deadline_infinite;
                released_ = false;
            }
            if (ended && released_) co_return status;
            continue;
        }
        status = CO_TRY(task.wait(abi::deadline_now));
        ended = true;
        // A fault (status -1000 - vector) or an exit with another status than 0: the kernel asks
        // once the task has ended. (Killed, it is not asked.)
        if (status == 0 || status == poplar::abi::killed_status || released_) co_return status;
        verdict_deadline = sys::deadline_after(verdict_wait_nanoseconds);
    }
}

}  // namespace supervision
