// syscall_fuzz_worker: one fuzzing task. Its first start handle is a channel carrying its Orders
// (protocol.h); in the `fuzz` role it runs steps from the enabled families until it has made
// its calls, reports, and exits 0 (1 if any rule was broken). Children of the tasks family run
// the other roles.

#include <poplar/print.h>
#include <poplar/start.h>

#include "arena.h"
#include "faults.h"
#include "steps.h"

using namespace fuzz;

namespace {

struct Step {
    u32 family;  // 0: always
    u32 weight;  // per 100,000 steps
    void (*run)(Fuzzer&);
};

// Most steps are single calls. The others are sequences: a kernel-work step is up to 300 calls,
// a cycle a few, a storm step spawns tasks, and a chain is up to 8,000 calls, so they come rarely.
constexpr Step steps[] = {
    {0, 40000, structured_call},      {family::random, 40000, random_call}, {family::races, 20000, race_step},
    {family::tasks, 300, storm_step}, {family::cycles, 200, cycle_step},    {family::kernel_work, 60, kernel_work_step},
    {family::chains, 3, chain_step},
};

void run_step(Fuzzer& f) {
    u32 total = 0;
    for (const Step& step : steps)
        if (!step.family || f.enabled(step.family)) total += step.weight;
    u64 point = f.random().below(total);
    for (const Step& step : steps) {
        if (step.family && !f.enabled(step.family)) continue;
        if (point < step.weight) {
            step.run(f);
            return;
        }
        point -= step.weight;
    }
}

int fuzz_until_done(Fuzzer& f) {
    // Once per worker, at a point of its own, the long generations test.
    u64 generations_at = f.enabled(family::generations) ? f.random().below(f.orders().calls / 2 + 1) : ~u64(0);
    // Every chains-enabled worker builds one chain early, whatever the dice say.
    if (f.enabled(family::chains)) chain_step(f);
    while (f.calls() < f.orders().calls) {
        if (f.calls() >= generations_at) {
            generations_at = ~u64(0);
            generation_step(f);
        }
        run_step(f);
        f.tidy();
    }
    storm_finish(f);
    f.call(Syscall::debug_kernel_work, 0, abi::work_account::caller);
    f.call(Syscall::debug_kernel_work, 0, abi::work_account::kernel);
    f.let_go_of_everything();
    f.report(true);
    return f.failures() ? 1 : 0;
}

int be_victim(Fuzzer& f) {
    while (f.calls() < f.orders().calls) {
        if (f.random().one_in(4))
            blocking_call(f);
        else if (f.enabled(family::random) && f.random().one_in(2))
            random_call(f);
        else
            structured_call(f);
        f.tidy();
        auto signals = sys::raw(Syscall::wait_one, f.control(), abi::signals::peer_closed, abi::deadline_now);
        if (signals.is_ok()) break;  // the parent is gone or done with us
    }
    return f.failures() ? 1 : 0;
}

}  // namespace

int main(const abi::StartInfo& start_info) {
    if (start_info.handle_count == 0) return status_no_orders;
    HandleValue control = start_info.handles[0];
    Orders orders;
    HandleValue attached[abi::max_message_handles] = {};
    auto received = sys::raw(Syscall::channel_receive, control, sys::arg(&orders), sizeof(orders), sys::arg(attached),
                             abi::max_message_handles, abi::deadline_now);
    if (!received.is_ok() || abi::message_bytes_of(received.value) != sizeof(orders) ||
        orders.magic != Orders::magic_value)
        return status_bad_orders;
    Shared shared;
    u64 attached_count = abi::message_handles_of(received.value);
    for (u64 i = 0; i < attached_count; ++i) {
        if (i < orders.shared_channels && shared.channel_count < Shared::max_channels)
            shared.channels[shared.channel_count++] = attached[i];
        else if (i >= orders.shared_channels && shared.event_count < Shared::max_events)
            shared.events[shared.event_count++] = attached[i];
    }

    char name[32];
    base::format_to(name, sizeof(name), "syscall_fuzz worker {}", orders.index);
    switch (orders.role) {
        case Role::exit_now:
            sys::task_exit(orders.exit_status);
        case Role::fault:
            die_of(orders.fault, orders.flags);
        case Role::victim:
        case Role::fuzz:
            break;
        default:
            return status_bad_orders;
    }
    if (auto arena = arena::set_up(); arena.is_error()) {
        // A victim may start when memory is short; a worker must not.
        if (orders.role == Role::victim) return 0;
        poplar::println("{}: cannot map its arena: {}", name, base::error_name(arena.error()));
        return 1;
    }
    Fuzzer fuzzer(orders, control, shared, name);
    return orders.role == Role::victim ? be_victim(fuzzer) : fuzz_until_done(fuzzer);
}
