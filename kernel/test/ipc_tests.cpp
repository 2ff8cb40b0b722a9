// Ptah spoken by kernel coroutines over kernel channel ends (test=ktest).

#include <arch/arch.h>
#include <async/executor.h>
#include <ipc/protocol.h>
#include <poplar/protocols/echo.h>
#include <test/kernel_test.h>
#include <time/clock.h>

namespace {

using poplar::protocols::EchoProtocol;
namespace echo = poplar::protocols::echo;

constexpr u64 millisecond = 1'000'000;

template <typename Job>
bool run_until_complete(async::Executor& executor, Job& job, u64 limit = 500 * millisecond) {
    time::start_timer_queue();
    u64 give_up = time::monotonic_nanoseconds() + limit;
    while (!job->is_complete() && time::monotonic_nanoseconds() < give_up) {
        if (executor.run(64) == 0) {
            arch::disable_interrupts();
            if (!executor.has_ready_jobs()) arch::wait_for_interrupt();
            arch::enable_interrupts();
        }
    }
    return job->is_complete();
}

struct EchoHandler {
    u64 logged = 0;
    echo::Echoed handle(const echo::Echo& request) { return echo::Echoed{request.text}; }
    echo::Logged handle(const echo::Log&) {
        ++logged;
        return {};
    }
};

async::Task<base::ErrorOr<usize>> echo_length(base::RefPtr<Channel> channel, base::StringView text, u64 deadline) {
    auto reply = CO_TRY(co_await ipc::call<EchoProtocol>(channel, EchoProtocol::Request(echo::Echo{text}), deadline));
    const auto* echoed_reply = reply.value.template get_if<echo::Echoed>();
    if (!echoed_reply) co_return base::Error::MalformedMessage;
    auto echoed = echoed_reply->text;
    co_return echoed == text ? echoed.length() : 0;
}

}  // namespace

KERNEL_TEST(ipc, a_kernel_client_calls_a_kernel_server_in_ptah) {
    async::Executor executor;
    auto pair = MUST(Channel::create_pair());
    EchoHandler handler;
    auto server = MUST(executor.spawn(ipc::serve<EchoProtocol>(pair.second, handler)));
    auto client = MUST(executor.spawn(echo_length(pair.first, "over a kernel channel", async::no_deadline)));
    KEXPECT(run_until_complete(executor, client));
    KEXPECT(client->take_result().value_or(0) == 21);
    // Bytes that are not a request get no reply (the call times out) and the server goes on.
    MessagePointer junk(MUST(Message::create(3, 0)));
    junk->bytes()[0] = 0xff;
    MUST(pair.first->send(junk.release()));
    auto after = MUST(executor.spawn(echo_length(pair.first, "still there", async::no_deadline)));
    KEXPECT(run_until_complete(executor, after));
    KEXPECT(after->take_result().value_or(0) == 11);
    // The client's end closing ends the server loop cleanly (the finished client jobs held it too).
    client.clear();
    after.clear();
    pair.first.clear();
    KEXPECT(run_until_complete(executor, server));
    KEXPECT(server->take_result().is_ok());
}

KERNEL_TEST(ipc, the_decode_allocator_stops_at_its_budget) {
    ipc::BoundedAllocator allocator(100);
    void* first = allocator.allocate(64, 8);
    KEXPECT(first != nullptr);
    KEXPECT(allocator.allocate(64, 8) == nullptr);    // past the budget
    KEXPECT(allocator.allocate(8, 4096) == nullptr);  // an alignment the heap does not give
    allocator.deallocate(first, 64, 8);
    KEXPECT(allocator.in_use() == 0);
}
