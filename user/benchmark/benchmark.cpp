// Micro-benchmarks of the system-call path. Each figure is one stable, machine-readable line:
//
//   bench NAME cycles median=N p99=M iterations=K
//   bench kernel_memory WHAT heap_bytes=N frames=M
//
// Cycles are TSC cycles around each iteration (lfence; rdtsc), after a warm-up; they include the
// rdtsc overhead, printed as its own figure. Under QEMU's TCG the numbers are only comparable
// between runs on the same machine.
//
//   null_syscall            clock_read, the cheapest real call
//   channel_call_16         round trip of a 16-byte message to child_echo (another address space)
//   channel_call_4096       the same with 4 KiB
//   channel_call_handle     16 bytes and one event handle, which the echo sends back
//   event_round_trip        signal an event another task waits on, wait for its answer: two
//                           context switches and six system calls per iteration
//   yield_round_trip        yield to a task that yields straight back: two context switches
//                           (through the fair policy, address space to address space) and two
//                           system calls per iteration
//   kernel_memory           kernel heap and frames held by an idle task and by a channel pair
//   service_user_user       a Ptah Echo call of 16 bytes of text (ServiceClient) to a user
//                           provider (bench_echo_service, a ServiceHost) found through the
//                           registry: channel_call_16 plus Ptah and the host's wait
//   service_user_kernel     a Ptah Now call to kernel.time (ServiceClient): served by a kernel
//                           coroutine on the caller's own work queue
//   ring_nop_batch_N        per no-op, in batches of N on an asynchronous system-call ring: write
//                           N submissions, one ring_enter that takes them and waits for their N
//                           completions, read the completions (docs/async-syscalls.md); the
//                           entries written, then sq_tail stored once, the completions read,
//                           then cq_head stored once, as a runtime batches
//   channel_send_16         a synchronous send of 16 bytes (the queues drained untimed)
//   ring_send_batch_N       per send of 16 bytes, in batches of N ring channel_sends, as
//                           ring_nop_batch_N (spread over four channels, drained untimed)
//   ring_call_16            a ring channel_call of 16 bytes to child_echo and its completion,
//                           beside channel_call_16
//   runtime_call_16         channel_call_16 from a job on the coroutine runtime (lib/poplar/async):
//                           co_await async::call, one channel_call ring operation per call (the
//                           job suspends, the loop enters the ring once and resumes it)
//   runtime_service_call    service_user_user from a job: co_await on an async::ServiceClient
//   runtime_empty_task      a task that returns at once, awaited: its frame from the heap and back
//   runtime_at_once         the runtime's own cost per operation: a task awaiting an operation
//                           that completes inside ring_enter (a timeout already past): the
//                           frame, the poll, one ring_enter, reading the completion, the resume

#include <base/utility.h>
#include <poplar/async/executor.h>
#include <poplar/async/operations.h>
#include <poplar/async/service.h>
#include <poplar/channel.h>
#include <poplar/event.h>
#include <poplar/print.h>
#include <poplar/protocols/echo.h>
#include <poplar/protocols/kernel_time.h>
#include <poplar/service.h>
#include <poplar/service_scope.h>
#include <poplar/start.h>
#include <poplar/start_argument.h>
#include <poplar/task.h>

#include "../tests/ring.h"
#include "cycles.h"

using poplar::Handle;
namespace abi = poplar::abi;
namespace sys = poplar::sys;

namespace {

constexpr usize iterations = 10000;
constexpr usize warm_up = 1000;
u64 samples[iterations];
u8 message[4096];
u8 reply[4096];

using bench::cycles;

void sift_down(u64* values, usize start, usize count) {
    usize root = start;
    while (2 * root + 1 < count) {
        usize child = 2 * root + 1;
        if (child + 1 < count && values[child] < values[child + 1]) ++child;
        if (!(values[root] < values[child])) return;
        base::swap(values[root], values[child]);
        root = child;
    }
}

void heap_sort(u64* values, usize count) {
    for (usize start = count / 2; start-- > 0;) sift_down(values, start, count);
    for (usize end = count; end-- > 1;) {
        base::swap(values[0], values[end]);
        sift_down(values, 0, end);
    }
}

// Prints the line for `samples`: the figures per operation when one iteration did `operations`.
void report(const char* name, usize operations) {
    heap_sort(samples, iterations);
    poplar::println("bench {} cycles median={} p99={} iterations={}", name, samples[iterations / 2] / operations,
                    samples[iterations * 99 / 100] / operations, iterations);
}

// Runs `body` (which returns false on failure) warm_up + iterations times and prints a line: the
// figures per operation when one iteration does `operations` of them.
template <typename Body>
bool measure(const char* name, Body body, usize operations = 1) {
    for (usize i = 0; i < warm_up; ++i)
        if (!body()) return false;
    for (usize i = 0; i < iterations; ++i) {
        u64 start = cycles();
        bool ok = body();
        u64 end = cycles();
        if (!ok) {
            poplar::println("bench {} failed at iteration {}", name, i);
            return false;
        }
        samples[i] = end - start;
    }
    report(name, operations);
    return true;
}

// The same from a job on the coroutine runtime: `body` is awaited (a Task of ErrorOr<void>).
template <typename Body>
poplar::async::Task<base::ErrorOr<void>> measure_awaited(const char* name, Body body) {
    for (usize i = 0; i < warm_up; ++i) CO_TRY(co_await body());
    for (usize i = 0; i < iterations; ++i) {
        u64 start = cycles();
        auto done = co_await body();
        u64 end = cycles();
        if (done.is_error()) {
            poplar::println("bench {} failed at iteration {}: {}", name, i, base::error_name(done.error()));
            co_return done.error();
        }
        samples[i] = end - start;
    }
    report(name, 1);
    co_return {};
}

struct Echo {
    poplar::Task task;
    poplar::Channel channel;
};

base::ErrorOr<Echo> spawn_echo() {
    auto pair = TRY(poplar::Channel::create());
    Handle handles[1] = {base::move(pair.second)};
    auto task = TRY(poplar::Task::spawn("child_echo", base::Span<Handle>(handles)));
    return Echo{base::move(task), base::move(pair.first)};
}

// One awaited channel_call ring operation of 16 bytes, in a task of its own (a frame from the
// heap per call, as a program's own coroutine would have).
poplar::async::Task<base::ErrorOr<void>> runtime_call_16(const poplar::Channel& channel) {
    auto sizes =
        CO_TRY(co_await poplar::async::call(channel, base::ReadonlyBytes(message, 16), {}, base::Bytes(reply)));
    if (sizes.bytes != 16) co_return base::Error::Internal;
    co_return {};
}

poplar::async::Task<base::ErrorOr<void>> runtime_empty_task() { co_return {}; }
poplar::async::Task<base::ErrorOr<void>> runtime_at_once() { co_return co_await poplar::async::sleep_until(1); }

bool runtime_call_benchmark(const poplar::Channel& channel) {
    auto executor = poplar::async::Executor::create(8);
    if (executor.is_error()) return false;
    return executor.value()
               .block_on(measure_awaited("runtime_empty_task", [] { return runtime_empty_task(); }))
               .is_ok() &&
           executor.value().block_on(measure_awaited("runtime_at_once", [] { return runtime_at_once(); })).is_ok() &&
           executor.value()
               .block_on(measure_awaited("runtime_call_16", [&] { return runtime_call_16(channel); }))
               .is_ok();
}

bool channel_benchmarks() {
    auto echo = spawn_echo();
    if (echo.is_error()) {
        poplar::println("bench channel_call unavailable: cannot spawn child_echo: {}", base::error_name(echo.error()));
        return false;
    }
    auto& channel = echo.value().channel;
    bool ok = true;
    ok = measure("channel_call_16",
                 [&] { return channel.call(base::ReadonlyBytes(message, 16), {}, base::Bytes(reply)).is_ok(); }) &&
         ok;
    ok = measure("channel_call_4096",
                 [&] { return channel.call(base::ReadonlyBytes(message, 4096), {}, base::Bytes(reply)).is_ok(); }) &&
         ok;
    auto event = poplar::Event::create();
    if (event.is_error()) return false;
    Handle carried[1] = {event.release_value()};
    ok = measure("channel_call_handle",
                 [&] {
                     auto sizes = channel.call(base::ReadonlyBytes(message, 16), base::Span<Handle>(carried),
                                               base::Bytes(reply), base::Span<Handle>(carried));
                     return sizes.is_ok() && sizes.value().handles == 1;
                 }) &&
         ok;
    ok = runtime_call_benchmark(channel) && ok;
    echo.value().channel.reset();  // child_echo exits when its peer goes away
    return echo.value().task.wait().is_ok() && ok;
}

bool context_switch_benchmark() {
    auto ping = poplar::Event::create();
    auto pong = poplar::Event::create();
    if (ping.is_error() || pong.is_error()) return false;
    constexpr u32 partner_rights = abi::rights::transfer | abi::rights::signal | abi::rights::wait;
    auto ping_for_child = ping.value().duplicate(partner_rights);
    auto pong_for_child = pong.value().duplicate(partner_rights);
    if (ping_for_child.is_error() || pong_for_child.is_error()) {
        poplar::println("bench event_round_trip unavailable: cannot duplicate the events");
        return false;
    }
    Handle handles[2] = {ping_for_child.release_value(), pong_for_child.release_value()};
    auto partner = poplar::Task::spawn("bench_ping", base::Span<Handle>(handles));
    if (partner.is_error()) {
        poplar::println("bench event_round_trip unavailable: cannot spawn bench_ping: {}",
                        base::error_name(partner.error()));
        return false;
    }
    bool ok = measure("event_round_trip", [&] {
        return ping.value().signal().is_ok() && pong.value().wait(abi::signals::signaled).is_ok() &&
               pong.value().clear().is_ok();
    });
    (void)partner.value().kill();
    return partner.value().wait().is_ok() && ok;
}

// Kernel memory held by whatever `make` creates, once it has settled.
template <typename Make>
bool memory_delta(const char* what, Make make) {
    auto before = sys::debug_memory_usage();
    if (before.is_error()) {
        poplar::println("bench kernel_memory unavailable: {}", base::error_name(before.error()));
        return false;
    }
    auto keep = make();
    if (keep.is_error()) return false;
    (void)sys::sleep(sys::deadline_after(10'000'000));
    auto after = sys::debug_memory_usage();
    if (after.is_error()) return false;
    poplar::println("bench kernel_memory {} heap_bytes={} frames={}", what,
                    i64(after.value().heap_bytes - before.value().heap_bytes),
                    i64(after.value().frames_in_use - before.value().frames_in_use));
    return true;
}

bool memory_benchmarks() {
    bool ok = memory_delta("channel_pair", [] { return poplar::Channel::create(); });
    ok = memory_delta("event", [] { return poplar::Event::create(); }) && ok;
    poplar::Task idle;
    ok = memory_delta("idle_task",
                      [&]() -> base::ErrorOr<void> {
                          idle = TRY(poplar::Task::spawn("bench_ping"));
                          return {};
                      }) &&
         ok;
    if (idle.is_valid()) {
        (void)idle.kill();
        (void)idle.wait();
    }
    return ok;
}

}  // namespace

bool yield_benchmark() {
    auto partner = poplar::Task::spawn("yielder");
    if (partner.is_error()) {
        poplar::println("bench yield_round_trip unavailable: cannot spawn yielder: {}",
                        base::error_name(partner.error()));
        return false;
    }
    bool ok = measure("yield_round_trip", [] { return sys::yield().is_ok(); });
    (void)partner.value().kill();
    return partner.value().wait().is_ok() && ok;
}

using poplar::protocols::EchoProtocol;
using AsyncEcho = poplar::async::ServiceClient<EchoProtocol>;

poplar::async::Task<base::ErrorOr<void>> runtime_service_call(AsyncEcho& client, base::StringView text) {
    auto reply = CO_TRY(co_await client.call(poplar::protocols::echo::Echo{text}));
    if (!reply.is<poplar::protocols::echo::Echoed>()) co_return base::Error::Internal;
    co_return {};
}

poplar::async::Task<base::ErrorOr<void>> runtime_service_calls(base::StringView text) {
    auto client = CO_TRY(co_await AsyncEcho::subscribe("bench.echo", sys::deadline_after(1'000'000'000)));
    co_return co_await measure_awaited("runtime_service_call", [&] { return runtime_service_call(client, text); });
}

bool runtime_service_benchmark(base::StringView text) {
    auto executor = poplar::async::Executor::create(8);
    return executor.is_ok() && executor.value().block_on(runtime_service_calls(text)).is_ok();
}

bool service_benchmarks() {
    using poplar::protocols::EchoProtocol;
    namespace echo = poplar::protocols::echo;
    constexpr base::StringView text = "sixteen bytes...";
    auto scope = poplar::duplicate_service_scope();
    if (scope.is_error()) return false;
    auto provider = poplar::spawn_with_argument("bench_echo_service", "bench.echo", scope.release_value());
    if (provider.is_error()) {
        poplar::println("bench service_user_user unavailable: {}", base::error_name(provider.error()));
        return false;
    }
    auto client = poplar::ServiceClient<EchoProtocol>::subscribe("bench.echo", sys::deadline_after(1'000'000'000));
    bool ok = client.is_ok() && measure("service_user_user", [&] {
                  auto reply = client.value().call(echo::Echo{text});
                  return reply.is_ok() && reply.value().is<echo::Echoed>();
              });
    ok = runtime_service_benchmark(text) && ok;
    (void)provider.value().task.kill();
    ok = provider.value().task.wait().is_ok() && ok;

    using poplar::protocols::KernelTime;
    namespace kernel_time = poplar::protocols::kernel_time;
    auto time = poplar::ServiceClient<KernelTime>::subscribe("kernel.time", abi::deadline_now);
    return time.is_ok() &&
           measure("service_user_kernel",
                   [&] {
                       auto reply = time.value().call(kernel_time::Now{});
                       return reply.is_ok() && reply.value().is<kernel_time::Time>();
                   }) &&
           ok;
}

// measure(), with `reset` run untimed after each iteration (draining what the body filled).
template <typename Body, typename Reset>
bool measure_with_reset(const char* name, Body body, Reset reset, usize operations) {
    for (usize i = 0; i < warm_up; ++i)
        if (!body() || !reset()) return false;
    for (usize i = 0; i < iterations; ++i) {
        u64 start = cycles();
        bool ok = body();
        u64 end = cycles();
        if (!ok || !reset()) {
            poplar::println("bench {} failed at iteration {}", name, i);
            return false;
        }
        samples[i] = end - start;
    }
    heap_sort(samples, iterations);
    poplar::println("bench {} cycles median={} p99={} iterations={}", name, samples[iterations / 2] / operations,
                    samples[iterations * 99 / 100] / operations, iterations);
    return true;
}

// A ring batch's completions are read as a runtime reads them: all of them after one load of
// cq_tail, then one store of cq_head (usertest::TestRing::pop_batch).
constexpr auto succeeded = [](const abi::RingCompletion& completion) { return completion.status == 0; };

// Sends of 16 bytes, synchronous and in ring batches, to four channels whose queues (64 each)
// are drained after each iteration, untimed.
bool ring_send_benchmarks(usertest::TestRing& ring) {
    constexpr u32 lanes = 4;
    poplar::Channel::Pair pairs[lanes];
    for (auto& pair : pairs) {
        auto made = poplar::Channel::create();
        if (made.is_error()) return false;
        pair = made.release_value();
    }
    u32 sent = 0;
    auto drain = [&] {
        u8 bytes[16];
        for (u32 lane = 0; lane < lanes; ++lane)
            while (sys::channel_receive(pairs[lane].second.value(), bytes, sizeof(bytes), nullptr, 0, abi::deadline_now)
                       .is_ok()) {
            }
        sent = 0;
        return true;
    };
    bool ok = measure_with_reset(
        "channel_send_16",
        [&] {
            // One lane per 64 sends, as the ring's below.
            return sys::channel_send(pairs[(sent++ / 64) % lanes].first.value(), message, 16, nullptr, 0).is_ok();
        },
        [&] { return sent < 64 || drain(); }, 1);
    drain();
    const u32 batches[] = {1, 4, 16, 64, 256};
    const char* names[] = {"ring_send_batch_1", "ring_send_batch_4", "ring_send_batch_16", "ring_send_batch_64",
                           "ring_send_batch_256"};
    for (usize index = 0; index < 5; ++index) {
        u32 batch = batches[index];
        ok = measure_with_reset(
                 names[index],
                 [&] {
                     ring.push_batch(batch, [&](u32 i) {
                         abi::RingSubmission entry{};
                         entry.tag = i;
                         entry.opcode = abi::ring_op::channel_send;
                         entry.handle = pairs[i % lanes].first.value();
                         entry.address = reinterpret_cast<u64>(message);
                         entry.length = 16;
                         return entry;
                     });
                     if (ring.enter(batch, batch).value_or(0) != batch) return false;
                     return ring.pop_batch(batch, succeeded);
                 },
                 [&] { return drain(); }, batch) &&
             ok;
    }
    return ok;
}

// A ring channel_call's round trip to child_echo, beside channel_call_16.
bool ring_call_benchmark(usertest::TestRing& ring) {
    auto echo = spawn_echo();
    if (echo.is_error()) return false;
    auto arguments = sys::call_arguments(message, 16, nullptr, 0, reply, sizeof(reply), nullptr, 0);
    bool ok = measure("ring_call_16", [&] {
        abi::RingSubmission entry{};
        entry.opcode = abi::ring_op::channel_call;
        entry.handle = echo.value().channel.value();
        entry.address = reinterpret_cast<u64>(&arguments);
        entry.deadline = abi::deadline_infinite;
        ring.push(entry);
        if (ring.enter(1, 1).value_or(0) != 1) return false;
        abi::RingCompletion completion;
        return ring.pop(completion) && completion.status == 0;
    });
    echo.value().channel.reset();
    return echo.value().task.wait().is_ok() && ok;
}

bool ring_benchmarks() {
    auto ring = usertest::TestRing::create(256);
    if (ring.is_error()) {
        poplar::println("bench ring_nop_batch unavailable: {}", base::error_name(ring.error()));
        return false;
    }
    bool ok = true;
    const u32 batches[] = {1, 4, 16, 64, 256};
    const char* names[] = {"ring_nop_batch_1", "ring_nop_batch_4", "ring_nop_batch_16", "ring_nop_batch_64",
                           "ring_nop_batch_256"};
    for (usize index = 0; index < 5; ++index) {
        u32 batch = batches[index];
        const char* name = names[index];
        ok = measure(
                 name,
                 [&] {
                     ring.value().push_batch(batch, [](u32 i) { return usertest::nop(i); });
                     if (ring.value().enter(batch, batch).value_or(0) != batch) return false;
                     return ring.value().pop_batch(batch, succeeded);
                 },
                 batch) &&
             ok;
    }
    ok = ring_send_benchmarks(ring.value()) && ok;
    ok = ring_call_benchmark(ring.value()) && ok;
    return ok;
}

int main(const abi::StartInfo&) {
    for (usize i = 0; i < sizeof(message); ++i) message[i] = static_cast<u8>(i);
    bool ok = measure("rdtsc_overhead", [] { return true; });
    ok = measure("null_syscall",
                 [] {
                     sys::clock_read();
                     return true;
                 }) &&
         ok;
    ok = channel_benchmarks() && ok;
    ok = context_switch_benchmark() && ok;
    ok = yield_benchmark() && ok;
    ok = memory_benchmarks() && ok;
    ok = service_benchmarks() && ok;
    ok = ring_benchmarks() && ok;
    poplar::println("bench done {}", ok ? "ok" : "with failures");
    return ok ? 0 : 1;
}
