#pragma once

// The user side of the supervisor protocol (poplar/protocols/supervisor.h): the kernel subscribes
// to `init.supervisor` when a task faults and asks what to do. init provides it for the programs
// whose run= entry asks (init.cpp); test programs use the same pieces to play a supervisor.

#include <base/string_view.h>
#include <poplar/async/task.h>
#include <poplar/channel.h>
#include <poplar/protocols/supervisor.h>
#include <poplar/service.h>
#include <poplar/task.h>

namespace supervision {

using poplar::protocols::Supervisor;
namespace protocol = poplar::protocols::supervisor;

inline base::ErrorOr<poplar::Channel> register_supervisor() { return poplar::register_service(Supervisor::name); }

// The session end carried by the NewClient queued at `registration`: AccessDenied (the session
// closed) for any client but the kernel (client 0).
base::ErrorOr<poplar::Channel> accept(const poplar::Channel& registration, u64 deadline);

// One request from the kernel. Its value borrows `bytes`; `task` is the handle a TaskRestarted
// carried.
struct Request {
    u8 bytes[1024];
    Supervisor::Request value;
    poplar::Task task;
};
base::ErrorOr<void> receive(const poplar::Channel& session, Request& request, u64 deadline);
base::ErrorOr<void> reply(const poplar::Channel& session, const Supervisor::Response& response);

// "page fault at 0x0" and the like, for init's log lines.
struct FaultText {
    char text[96];
};
FaultText describe(const protocol::TaskFaulted& fault);

// init's supervisor while one program runs: restarts it after a fault up to `restarts` times
// (0: releases it), then releases it.
class ProgramSupervisor {
public:
    static base::ErrorOr<ProgramSupervisor> create(u32 restarts);

    // Waits for `task` (program `name`) to end, answering the kernel meanwhile: a task that
    // replaces it after a restart becomes `task`. The last one's exit status. A job on the
    // coroutine runtime (poplar/async): the kernel's question and the task's end are awaited
    // side by side (when_any).
    poplar::async::Task<base::ErrorOr<i64>> wait(poplar::Task& task, base::StringView name);

private:
    poplar::async::Task<base::ErrorOr<i64>> serve_until_end(poplar::Task& task, base::StringView name);
    // Answers one request; `task` is the program's current task (replaced on TaskRestarted).
    base::ErrorOr<void> answer(poplar::Task& task, base::StringView name);

    poplar::Channel registration_;
    poplar::Channel session_;
    u32 restarts_allowed_ = 0;
    u32 restarts_ = 0;
    bool released_ = false;  // the kernel was told to let the current task go
};

}  // namespace supervision
