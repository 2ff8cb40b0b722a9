// The kernel as a client of a user service (test=ktest): ServiceRegistry::connect sends the
// provider a NewClient from the kernel, and a kernel call survives a provider that answers
// garbage, stalls or goes away (docs/services.md, "kernel -> user").

#include <ipc/caller.h>
#include <ipc/session.h>
#include <object/service_registry.h>
#include <poplar/protocols/service_registry.h>
#include <poplar/protocols/supervisor.h>
#include <test/kernel_test.h>
#include <test/run_jobs.h>

namespace {

using poplar::protocols::Supervisor;
using test::run_until_complete;
namespace supervisor = poplar::protocols::supervisor;

Supervisor::Request fault_of(base::StringView arguments = "") {
    return supervisor::TaskFaulted{7, "faulty", "faulty", arguments, 14, 6, 0, 0x401000, 0x7000, -1014, 0};
}

// Through ipc::call (a request as a message, the reply read as one).
async::Task<base::ErrorOr<bool>> ask(base::RefPtr<Channel> channel, u64 deadline) {
    auto reply = CO_TRY(co_await ipc::call<Supervisor>(base::move(channel), fault_of(), deadline));
    co_return reply.value.is<supervisor::Restart>();
}

// Through ipc::Caller (what supervision uses): `calls` calls on one caller, all answered Restart.
async::Task<base::ErrorOr<bool>> ask_with_caller(base::RefPtr<Channel> channel, u64 deadline, usize calls = 1,
                                                 base::StringView arguments = "") {
    ipc::Caller<Supervisor> caller(base::move(channel));
    bool all_restart = true;
    for (usize i = 0; i < calls; ++i) {
        auto reply = CO_TRY(co_await caller.call(fault_of(arguments), deadline));
        all_restart = all_restart && reply.is<supervisor::Restart>();
    }
    co_return all_restart;
}

// The error a call on `end` ends with, its peer having done `provider` first.
template <typename Provider>
base::Error call_error(Provider provider, u64 deadline_after, bool with_caller = false) {
    async::Executor executor;
    auto pair = MUST(Channel::create_pair());
    provider(pair.second);
    u64 deadline = time::monotonic_nanoseconds() + deadline_after;
    auto job = MUST(executor.spawn(with_caller ? ask_with_caller(pair.first, deadline) : ask(pair.first, deadline)));
    if (!run_until_complete(executor, job, 2'000'000'000)) return base::Error::Internal;
    auto result = job->take_result();
    return result.is_ok() ? base::Error::Internal : result.error();
}

}  // namespace

KERNEL_TEST(kernel_client, connect_sends_the_provider_a_new_client_from_the_kernel) {
    auto pair = MUST(Channel::create_pair());  // first: the provider's registration end
    auto account = MUST(ResourceAccount::create());
    ServiceRegistry& registry = ServiceRegistry::the();
    KEXPECT(registry.add("test.kernel-client", pair.second, account, 1, MUST(ServiceScope::create_root(1))).is_ok());
    auto session = registry.connect("test.kernel-client");
    KEXPECT(session.is_ok());

    async::Executor executor;
    auto job = MUST(executor.spawn(async::receive(pair.first, time::monotonic_nanoseconds() + 100'000'000)));
    KEXPECT(run_until_complete(executor, job));
    auto message = job->take_result();
    KEXPECT(message.is_ok());
    if (message.is_ok()) {
        ipc::BoundedAllocator allocator(0);
        auto decoded =
            ipc::decode_message<poplar::protocols::ServiceProvider::Request>(*message.value().get(), allocator);
        KEXPECT(decoded.is_ok());
        if (decoded.is_ok()) {
            const auto& new_client = decoded.value().get<poplar::protocols::service_registry::NewClient>();
            KEXPECT(new_client.client_task_id == 0);
            KEXPECT(new_client.client_name == "kernel");
            KEXPECT(new_client.name == "test.kernel-client");
            KEXPECT(message.value()->handle_count() == 1);
        }
    }
    registry.remove(pair.second.get());
    KEXPECT(registry.connect("test.kernel-client").error() == base::Error::NotFound);
}

KERNEL_TEST(kernel_client, connect_to_no_user_provider_is_not_found) {
    KEXPECT(ServiceRegistry::the().connect("test.nobody-provides-this").error() == base::Error::NotFound);
    KEXPECT(ServiceRegistry::the().connect("kernel.log").error() == base::Error::NotFound);  // not a user's
}

KERNEL_TEST(kernel_client, a_reply_that_does_not_decode_is_malformed) {
    auto garbage = [](base::RefPtr<Channel>& provider) {
        MessagePointer junk = MUST(Message::create(4, 0));
        for (u32 i = 0; i < 4; ++i) junk->bytes()[i] = 0xff;
        MUST(provider->write(junk));
    };
    KEXPECT(call_error(garbage, 100'000'000) == base::Error::MalformedMessage);
    KEXPECT(call_error(garbage, 100'000'000, true) == base::Error::MalformedMessage);
}

KERNEL_TEST(kernel_client, a_provider_that_stalls_times_out) {
    base::RefPtr<Channel> kept;
    auto stall = [&](base::RefPtr<Channel>& provider) { kept = provider; };
    u64 start = time::monotonic_nanoseconds();
    KEXPECT(call_error(stall, 20'000'000) == base::Error::TimedOut);
    KEXPECT(time::monotonic_nanoseconds() - start >= 20'000'000);
    start = time::monotonic_nanoseconds();
    KEXPECT(call_error(stall, 20'000'000, true) == base::Error::TimedOut);
    KEXPECT(time::monotonic_nanoseconds() - start >= 20'000'000);
}

KERNEL_TEST(kernel_client, a_provider_that_is_gone_is_peer_closed) {
    auto die = [](base::RefPtr<Channel>& provider) { provider.clear(); };
    KEXPECT(call_error(die, 100'000'000) == base::Error::PeerClosed);
    KEXPECT(call_error(die, 100'000'000, true) == base::Error::PeerClosed);
}

namespace {

struct Restarter {
    usize asked = 0;
    Supervisor::Response handle(const supervisor::TaskFaulted&) {
        ++asked;
        return supervisor::Restart{};
    }
    Supervisor::Response handle(const supervisor::TaskRestarted&) { return supervisor::Noted{}; }
    Supervisor::Response handle(const supervisor::TaskExited&) { return supervisor::Release{}; }
};

// A caller's calls to a provider that answers: `calls` of them, with `arguments` in each request.
bool calls_answered(usize calls, base::StringView arguments) {
    async::Executor executor;
    auto pair = MUST(Channel::create_pair());
    Restarter restarter;
    auto server = MUST(executor.spawn(ipc::serve<Supervisor>(pair.second, restarter)));
    auto client = MUST(
        executor.spawn(ask_with_caller(pair.first, time::monotonic_nanoseconds() + 1'000'000'000, calls, arguments)));
    bool answered = run_until_complete(executor, client) && client->take_result().value_or(false);
    client.clear();
    pair.first.clear();  // the server ends on peer_closed
    return run_until_complete(executor, server) && answered && restarter.asked == calls;
}

}  // namespace

// Small requests and replies go straight into the waiting buffers, call after call on one caller.
KERNEL_TEST(kernel_client, a_caller_makes_call_after_call_on_one_session) { KEXPECT(calls_answered(5, "")); }

// A request past Channel::direct_message_limit goes as a message, and is answered all the same.
KERNEL_TEST(kernel_client, a_caller_sends_a_large_request_as_a_message) {
    char arguments[255];
    for (char& c : arguments) c = 'a';
    KEXPECT(calls_answered(2, base::StringView(arguments, sizeof(arguments))));
}
