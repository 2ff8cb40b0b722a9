// debug_kernel_call: kernel -> user round trips, measured. The kernel subscribes to a user
// service speaking poplar.echo (ServiceRegistry::connect) and makes `iterations` Echo calls of
// `bytes` bytes from a coroutine on the caller's work queue (charged to the caller), which waits
// for them and gets the cycles they took: from the first request encoded to the last reply decoded,
// so each call counts the kernel's encode, send, wait, receive and decode.

#include <arch/arch.h>
#include <ipc/caller.h>
#include <mm/heap.h>
#include <object/event.h>
#include <object/service_registry.h>
#include <poplar/protocols/echo.h>
#include <sched/work_queue.h>
#include <syscall/syscall.h>
#include <time/clock.h>

namespace {

using poplar::protocols::EchoProtocol;
namespace echo = poplar::protocols::echo;

constexpr u64 max_iterations = 1'000'000;
constexpr u64 max_bytes = 4096;
constexpr u64 call_deadline_nanoseconds = 1'000'000'000;  // a provider that stalls ends the run

struct Filler {
    char bytes[max_bytes];
    constexpr Filler() : bytes{} {
        for (char& byte : bytes) byte = 'x';
    }
};
constexpr Filler filler;

// Where the job leaves its result for the waiting system call (either may go first).
struct Outcome final : base::RefCounted<Outcome> {
    base::ErrorOr<u64> cycles = base::Error::Cancelled;
};

async::Task<base::ErrorOr<u64>> echo_calls(base::RefPtr<Channel> session, u64 bytes, u64 iterations) {
    base::StringView text(filler.bytes, bytes);
    ipc::Caller<EchoProtocol> caller(base::move(session));
    u64 start = arch::read_cycle_counter();
    for (u64 i = 0; i < iterations; ++i) {
        u64 deadline = time::monotonic_nanoseconds() + call_deadline_nanoseconds;
        EchoProtocol::Request request = echo::Echo{text};
        auto reply = CO_TRY(co_await caller.call(request, deadline));
        const auto* echoed = reply.get_if<echo::Echoed>();
        if (!echoed || echoed->text.length() != bytes) co_return base::Error::MalformedMessage;
    }
    co_return arch::read_cycle_counter() - start;
}

async::Task<base::ErrorOr<void>> run(base::RefPtr<Channel> session, u64 bytes, u64 iterations,
                                     base::RefPtr<Outcome> outcome, base::RefPtr<Event> done) {
    outcome->cycles = co_await echo_calls(base::move(session), bytes, iterations);
    done->signal();
    co_return base::ErrorOr<void>{};
}

}  // namespace

SyscallResult sys_debug_kernel_call(SyscallArguments& arguments) {
    char name[max_service_name_bytes];
    u64 name_length = arguments.argument[1], bytes = arguments.argument[2], iterations = arguments.argument[3];
    if (name_length == 0 || name_length > max_service_name_bytes) return base::Error::InvalidArgument;
    if (bytes > max_bytes || iterations == 0 || iterations > max_iterations) return base::Error::InvalidArgument;
    TRY(arguments.in<char>(0).read(name, name_length));
    base::StringView service(name, name_length);
    if (!is_valid_service_name(service)) return base::Error::InvalidArgument;

    sched::WorkQueue* queue = TRY(arguments.task.work_queue());
    auto outcome = base::adopt_ref(TRY(mm::try_make<Outcome>()));
    auto done = TRY(Event::create());
    // On the caller's behalf, as the caller: only the kernel's own sessions say "kernel".
    auto session = TRY(ServiceRegistry::the().connect(service, {arguments.task.id(), arguments.task.name()}));
    TRY(queue->spawn(run(base::move(session), bytes, iterations, outcome, done)));
    // Killed meanwhile (Cancelled): the job goes with the caller's queue.
    TRY(wait_for_signals(*done, signals::signaled, deadline_infinite, arguments));
    return outcome->cycles;
}
