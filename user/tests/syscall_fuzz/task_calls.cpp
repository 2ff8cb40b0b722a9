// task_spawn, task_kill, task_wait, task_cpu_time, task_set_weight.

#include "calls.h"

namespace fuzz {

namespace {

constexpr char missing_module[] = "no_such_module";

}  // namespace

void spawn_call(Fuzzer& f) {
    const char* name = missing_module;
    u64 length = sizeof(missing_module) - 1;
    // Children are the tasks family's: without it the name never names a module.
    if (f.enabled(family::tasks) && f.random().one_in(2)) {
        name = worker_module;
        length = sizeof(worker_module) - 1;
    }
    u64 name_address = reinterpret_cast<u64>(name);
    if (f.enabled(family::sizes) && f.random().one_in(3)) {
        const u64 hostile[] = {0, abi::max_name_bytes - 1, abi::max_name_bytes, ~u64(0)};
        length = f.random().pick(hostile);
    }
    if (f.enabled(family::pointers) && f.random().one_in(3)) name_address = f.hostile_pointer(length).address;
    u64 count = f.size(2, abi::StartInfo::max_handles);
    PointerArgument handles = f.pointer(handle_bytes(count), Access::input);
    fill_transfer(f, handles.address, count, 0);
    auto result = f.call(Syscall::task_spawn, name_address, length, handles.address, count);
    if (!result.is_ok()) return;
    forget_transferred(f, handles.address, count);
    if (name_address == reinterpret_cast<u64>(missing_module))
        f.fail("task_spawn of a module that does not exist fails", rule(Syscall::task_spawn), 0, length);
    if (length == 0 || length >= abi::max_name_bytes || count > abi::StartInfo::max_handles)
        f.fail("task_spawn refuses bad name lengths and too many handles", rule(Syscall::task_spawn), 0, length);
    f.adopt(static_cast<HandleValue>(result.value), Kind::task);  // the child exits by itself
}

void kill_call(Fuzzer& f) {
    HandleArgument task = f.handle(Kind::task);
    auto result = f.call(Syscall::task_kill, task.value);
    f.check_handle(result, task, Syscall::task_kill);
    if (task.value == 0)
        f.expect_status(result, Error::BadHandle, "task_kill(0) names nothing", rule(Syscall::task_kill));
}

void wait_task_call(Fuzzer& f) {
    HandleArgument task = f.handle(Kind::task);
    f.check_handle(f.call(Syscall::task_wait, task.value, f.deadline()), task, Syscall::task_wait);
}

void cpu_time_call(Fuzzer& f) {
    HandleArgument task = f.random().one_in(4) ? HandleArgument{} : f.handle(Kind::task);
    PointerArgument out = f.pointer(sizeof(abi::CpuTime), Access::output);
    auto result = f.call(Syscall::task_cpu_time, task.value, out.address);
    f.check_handle(result, task, Syscall::task_cpu_time);
    f.check_output(result, out, sizeof(abi::CpuTime), Syscall::task_cpu_time);
}

void weight_call(Fuzzer& f) {
    constexpr u64 weights[] = {1, 50, abi::default_weight, abi::max_weight};
    constexpr u64 hostile[] = {0, abi::max_weight + 1, (1ull << 32) | abi::default_weight, ~u64(0)};
    HandleArgument task = f.random().one_in(4) ? HandleArgument{} : f.handle(Kind::task);
    u64 weight = f.enabled(family::sizes) && f.random().one_in(3) ? f.random().pick(hostile) : f.random().pick(weights);
    auto result = f.call(Syscall::task_set_weight, task.value, weight);
    f.check_handle(result, task, Syscall::task_set_weight);
    if (result.is_ok() && (weight == 0 || weight > abi::max_weight))
        f.fail("task_set_weight refuses weights out of range", rule(Syscall::task_set_weight), 0, weight);
    // Our own share back to normal, whatever the call did (a starved worker would stall the run).
    f.call(Syscall::task_set_weight, 0, abi::default_weight);
}

}  // namespace fuzz
