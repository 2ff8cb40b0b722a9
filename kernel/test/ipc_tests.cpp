// Ptah spoken by kernel coroutines over kernel channel ends (test=ktest).

#include <arch/arch.h>
#include <async/executor.h>
#include <ipc/protocol.h>
#include <object/task.h>
#include <poplar/protocols/echo.h>
#include <sched/work_queue.h>
#include <test/kernel_test.h>
#include <test/run_jobs.h>
#include <time/clock.h>

namespace {

using test::run_until_complete;

using poplar::protocols::EchoProtocol;
namespace echo = poplar::protocols::echo;

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

namespace {

struct CountingHandler {
    u64 served = 0;
    echo::Echoed handle(const echo::Echo& request) {
        ++served;
        return echo::Echoed{request.text};
    }
    echo::Logged handle(const echo::Log&) {
        ++served;
        return {};
    }
};

void send_echo(Channel& client) {
    auto message = MUST(ipc::encode_message(EchoProtocol::Request(echo::Echo{"hi"})));
    MUST(client.send(message.release()));
}

}  // namespace

// A cancel used to be lost when a request arrived before the job was polled (the wait returned
// the signal): the serve loop went on serving and never ended.
KERNEL_TEST(ipc, a_serve_loop_cancelled_as_a_request_arrives_ends) {
    async::Executor executor;
    auto pair = MUST(Channel::create_pair());
    CountingHandler handler;
    auto server = MUST(executor.spawn(ipc::serve<EchoProtocol>(pair.second, handler)));
    executor.run(10);
    KEXPECT(!server->is_complete());
    server->request_cancel();
    send_echo(*pair.first);  // arrives before the job is polled
    executor.run(10);
    KEXPECT(server->is_complete());
    KEXPECT(server->take_result().error() == base::Error::Cancelled);
    KEXPECT(handler.served == 0);
}

// An end the kernel holds by reference whose queue holds the only handle of a channel, whose
// queue holds the only handle of the first end's peer: dropping it used to take a reference to
// an object already at count zero (the flush ran before the peer was unlinked).
KERNEL_TEST(ipc, dropping_a_kernel_end_whose_queue_holds_its_own_peer_is_safe) {
    constexpr u32 end_rights = poplar::abi::rights::transfer | poplar::abi::rights::send | poplar::abi::rights::receive;
    auto k = MUST(Channel::create_pair());
    auto w = MUST(Channel::create_pair());
    base::RefPtr<Channel> kernel_end = base::move(k.first);
    Channel* user_end = k.second.get();
    Channel* w_peer = w.second.get();
    Handle u_handle(base::move(k.second), end_rights);
    Handle w_handle(base::move(w.first), end_rights);
    Handle w_peer_handle(base::move(w.second), end_rights);
    Message* into_w = MUST(Message::create(1, 1));
    into_w->handles()[0] = base::move(u_handle);
    MUST(w_peer->send(into_w));  // the user end now sits in W's queue
    Message* into_k = MUST(Message::create(1, 1));
    into_k->handles()[0] = base::move(w_handle);
    MUST(user_end->send(into_k));  // W now sits in the kernel end's queue
    w_peer_handle.reset();
    u64 channels_before = KernelObject::live_count(ObjectType::Channel);
    kernel_end.clear();
    KEXPECT(KernelObject::live_count(ObjectType::Channel) == channels_before - 3);  // K, then W, then U
}

// Two receivers on one end. From user space that cannot happen (an end has one handle, a task one
// thread, and a kernel-held end no handle), so these tests drive the channel's side of the IPC fast
// path directly: a "thread" receiver is a DirectReceiver offer (its thread never runs, so waking it
// does nothing), a coroutine receiver is a job in async::receive.
namespace {

constexpr u64 buffer_address = 0x200000;

async::Task<base::ErrorOr<u32>> receive_length(base::RefPtr<Channel> channel, u64 deadline) {
    auto message = CO_TRY(co_await async::receive(base::move(channel), deadline));
    co_return message->byte_count();
}

base::RefPtr<Thread> dormant_thread() {
    return MUST(Thread::create_kernel(
        "dormant", [](void*) {}, nullptr, sched::kernel_group()));
}

}  // namespace

// A second thread offering to receive directly is refused (and so waits for signals), and a
// receiver withdrawing its offer never withdraws another's: either would lose a wake-up.
KERNEL_TEST(ipc, one_direct_receiver_per_end_and_withdrawing_never_removes_another) {
    auto pair = MUST(Channel::create_pair());
    auto thread = dormant_thread();
    DirectReceiver first{thread.get(), 0, buffer_address, 64}, second{thread.get(), 0, buffer_address, 64};
    arch::InterruptGuard guard;
    KEXPECT(pair.second->offer_direct_receiver(first));
    KEXPECT(!pair.second->offer_direct_receiver(second));
    pair.second->withdraw_direct_receiver(second);                  // it was refused: changes nothing
    KEXPECT(pair.first->take_peer_direct_receiver(65) == nullptr);  // larger than its buffer
    KEXPECT(pair.first->take_peer_direct_receiver(64) == &first);
    KEXPECT(pair.first->take_peer_direct_receiver(64) == nullptr);  // taken once
    KEXPECT(pair.second->offer_direct_receiver(second));
    pair.second->withdraw_direct_receiver(first);  // the first wakes and withdraws late
    KEXPECT(pair.first->take_peer_direct_receiver(64) == &second);
}

// With a thread offering direct delivery and a coroutine receiving on the same end, each message
// goes to one of them once: a queued message (a kernel send, or one too big for the fast path) to
// the coroutine, leaving the thread's offer in place; a direct hand-off to the thread, unseen by
// the coroutine. A message already queued keeps the direct path shut, so order is kept.
KERNEL_TEST(ipc, a_thread_and_a_coroutine_receiving_on_one_end_each_message_goes_to_one) {
    async::Executor executor;
    auto pair = MUST(Channel::create_pair());
    auto thread = dormant_thread();
    DirectReceiver direct{thread.get(), 0, buffer_address, 64};
    {
        arch::InterruptGuard guard;
        KEXPECT(pair.second->offer_direct_receiver(direct));
    }
    auto queued = MUST(executor.spawn(receive_length(pair.second, async::no_deadline)));
    executor.run(10);
    KEXPECT(!queued->is_complete());
    MessagePointer message(MUST(Message::create(24, 0)));
    KEXPECT(pair.first->send(message.get()).is_ok());
    (void)message.release();
    KEXPECT(run_until_complete(executor, queued));
    KEXPECT(queued->take_result().value_or(0) == 24);
    KEXPECT(pair.second->peek().failed_with(base::Error::ShouldWait));  // taken once

    auto unseen = MUST(executor.spawn(receive_length(pair.second, time::monotonic_nanoseconds() + 20'000'000)));
    executor.run(10);
    {
        arch::InterruptGuard guard;
        KEXPECT(pair.first->take_peer_direct_receiver(16) == &direct);  // the offer stood
    }
    KEXPECT(run_until_complete(executor, unseen));
    KEXPECT(unseen->take_result().error() == base::Error::TimedOut);

    arch::InterruptGuard guard;
    KEXPECT(pair.second->offer_direct_receiver(direct));
    MessagePointer waiting(MUST(Message::create(8, 0)));
    KEXPECT(pair.first->send(waiting.get()).is_ok());
    (void)waiting.release();
    KEXPECT(pair.first->take_peer_direct_receiver(16) == nullptr);
    pair.second->withdraw_direct_receiver(direct);
}
