// debug_kernel_echo: a channel end served by a kernel coroutine that sends every message back
// (lib/poplar/protocols/kernel_echo.h). It lets user-space tests exercise kernel services on
// kernel-held ends: back-pressure, deadlines, either side closing, and a client killed mid-call.

#include <async/kernel_awaitables.h>
#include <poplar/protocols/kernel_echo.h>
#include <sched/work_queue.h>
#include <syscall/syscall.h>

namespace {

namespace echo = poplar::protocols::kernel_echo;

// As channel_create gives: no `duplicate`, an end has one handle (object/channel.h).
constexpr u32 echo_end_rights = rights::transfer | rights::read | rights::send | rights::receive | rights::wait;

// The command a message carries; plain data is an immediate echo.
echo::Command command_of(Message& message) {
    echo::Command command;
    if (message.byte_count() < sizeof(command)) return {};
    __builtin_memcpy(&command, message.bytes(), sizeof(command));
    if (command.magic != echo::command_magic) return {};
    if (command.action != echo::Action::delay && command.action != echo::Action::close) return {};
    command.milliseconds = base::min(command.milliseconds, echo::max_delay_milliseconds);
    return command;
}

// Serves one kernel-held end until its peer closes (ok), a close command, cancellation, or a
// message that cannot go back (the error).
async::Task<base::ErrorOr<void>> echo_service(base::RefPtr<Channel> channel) {
    for (;;) {
        // One message per turn: a client that keeps the queue full cannot keep the executor.
        CO_TRY(co_await async::yield_now());
        auto received = co_await async::receive(channel);
        if (received.failed_with(base::Error::PeerClosed)) co_return base::ErrorOr<void>{};
        MessagePointer message = CO_TRY(base::move(received));
        echo::Command command = command_of(*message.get());
        if (command.milliseconds) CO_TRY(co_await async::sleep_for(command.milliseconds * 1'000'000));
        if (command.action == echo::Action::close) co_return base::ErrorOr<void>{};
        auto sent = co_await async::send(channel, base::move(message));
        if (sent.failed_with(base::Error::PeerClosed)) co_return base::ErrorOr<void>{};
        CO_TRY(base::move(sent));
    }
}

}  // namespace

SyscallResult sys_debug_kernel_echo(SyscallArguments& arguments) {
    sched::WorkQueue* queue = TRY(arguments.task.work_queue());
    HandleTable& handles = arguments.task.handles();
    TRY(handles.reserve(1));
    auto pair = TRY(Channel::create_pair());
    // Detached, on the caller's queue: the work is charged to the caller, and ends with it.
    TRY(queue->spawn(echo_service(base::move(pair.second))));
    return MUST(handles.add(Handle(base::move(pair.first), echo_end_rights)));
}
