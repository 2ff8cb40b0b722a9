// The kernel as a client of a user service (test=ktest): ServiceRegistry::connect sends the
// provider a NewClient from the kernel, and a kernel call survives a provider that answers
// garbage, stalls or goes away (docs/services.md, "kernel -> user").

#include <ipc/protocol.h>
#include <object/service_registry.h>
#include <poplar/protocols/service_registry.h>
#include <poplar/protocols/supervisor.h>
#include <test/kernel_test.h>
#include <test/run_jobs.h>

namespace {

using poplar::protocols::Supervisor;
using test::run_until_complete;
namespace supervisor = poplar::protocols::supervisor;

async::Task<base::ErrorOr<bool>> ask(base::RefPtr<Channel> channel, u64 deadline) {
    Supervisor::Request request =
        supervisor::TaskFaulted{7, "faulty", "faulty", "", 14, 6, 0, 0x401000, 0x7000, -1014, 0};
    auto reply = CO_TRY(co_await ipc::call<Supervisor>(base::move(channel), request, deadline));
    co_return reply.value.is<supervisor::Restart>();
}

// The error a call on `end` ends with, its peer having done `provider` first.
template <typename Provider>
base::Error call_error(Provider provider, u64 deadline_after) {
    async::Executor executor;
    auto pair = MUST(Channel::create_pair());
    provider(pair.second);
    auto job = MUST(executor.spawn(ask(pair.first, time::monotonic_nanoseconds() + deadline_after)));
    if (!run_until_complete(executor, job, 2'000'000'000)) return base::Error::Internal;
    auto result = job->take_result();
    return result.is_ok() ? base::Error::Internal : result.error();
}

}  // namespace

KERNEL_TEST(kernel_client, connect_sends_the_provider_a_new_client_from_the_kernel) {
    auto pair = MUST(Channel::create_pair());  // first: the provider's registration end
    auto account = MUST(ResourceAccount::create());
    ServiceRegistry& registry = ServiceRegistry::the();
    KEXPECT(registry.add("test.kernel-client", pair.second, account).is_ok());
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
}

KERNEL_TEST(kernel_client, a_provider_that_stalls_times_out) {
    base::RefPtr<Channel> kept;
    auto stall = [&](base::RefPtr<Channel>& provider) { kept = provider; };
    u64 start = time::monotonic_nanoseconds();
    KEXPECT(call_error(stall, 20'000'000) == base::Error::TimedOut);
    KEXPECT(time::monotonic_nanoseconds() - start >= 20'000'000);
}

KERNEL_TEST(kernel_client, a_provider_that_is_gone_is_peer_closed) {
    auto die = [](base::RefPtr<Channel>& provider) { provider.clear(); };
    KEXPECT(call_error(die, 100'000'000) == base::Error::PeerClosed);
}
