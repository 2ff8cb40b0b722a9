// Diagnostics: object counts and memory use (for teardown tests and the benchmark), and a source
// of kernel async work on a chosen account (for the scheduling tests and benchmark).

#include <async/executor.h>
#include <boot/boot_info.h>
#include <mm/heap.h>
#include <mm/physical_memory.h>
#include <sched/work_queue.h>
#include <syscall/syscall.h>

namespace {

constexpr u64 max_work_units = 100000;
constexpr u32 iterations_per_unit = 20000;  // about 0.1 ms of CPU a unit under emulation
u64 work_jobs_done = 0;

// CPU-bound kernel work in units, yielding to the executor between units (and so ending
// promptly when cancelled).
async::Task<base::ErrorOr<void>> busy_work(u64 units) {
    u64 state = 0x9e3779b97f4a7c15ull;
    for (u64 unit = 0; unit < units; ++unit) {
        for (u32 i = 0; i < iterations_per_unit; ++i) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
        }
        asm volatile("" : : "r"(state));
        CO_TRY(co_await async::yield_now());
    }
    __atomic_fetch_add(&work_jobs_done, 1, __ATOMIC_RELAXED);
    co_return base::ErrorOr<void>{};
}

// Work on (or cancelling all work of) the kernel's own account disturbs every task: only a
// kernel booted with debug=kernel_work allows it, for the scheduling tests.
base::ErrorOr<sched::WorkQueue*> kernel_account_queue() {
    if (boot::command_line_option("debug") != "kernel_work") return base::Error::AccessDenied;
    return &sched::kernel_work_queue();
}

}  // namespace

SyscallResult sys_debug_object_counts(SyscallArguments& arguments) {
    ObjectCounts counts{};
    counts.tasks = KernelObject::live_count(ObjectType::Task);
    counts.threads = Thread::live_count();
    counts.address_spaces = KernelObject::live_count(ObjectType::AddressSpace);
    counts.memory_objects = KernelObject::live_count(ObjectType::MemoryObject);
    counts.channels = KernelObject::live_count(ObjectType::Channel);
    counts.events = KernelObject::live_count(ObjectType::Event);
    counts.service_scopes = KernelObject::live_count(ObjectType::ServiceScope);
    counts.rings = KernelObject::live_count(ObjectType::Ring);
    TRY(arguments.out<ObjectCounts>(0).write(counts));
    return 0;
}

SyscallResult sys_debug_memory_usage(SyscallArguments& arguments) {
    mm::FrameCounts frames = mm::frame_counts();
    KernelMemoryUsage usage{mm::heap_statistics().bytes_in_use, frames.total - frames.free};
    TRY(arguments.out<KernelMemoryUsage>(0).write(usage));
    return 0;
}

SyscallResult sys_debug_kernel_work(SyscallArguments& arguments) {
    u64 units = arguments.argument[0], account = arguments.argument[1];
    if (units > max_work_units) return base::Error::InvalidArgument;
    sched::WorkQueue* queue;
    if (account == work_account::caller)
        queue = TRY(arguments.task.work_queue());
    else if (account == work_account::kernel)
        queue = TRY(kernel_account_queue());
    else
        return base::Error::InvalidArgument;
    if (units == 0) {
        queue->executor().cancel_all();  // stop what is pending
        return 0;
    }
    TRY(queue->spawn(busy_work(units)));  // detached: it runs on the account's worker
    return 0;
}

SyscallResult sys_debug_scheduler_statistics(SyscallArguments& arguments) {
    auto scheduler = sched::statistics();
    auto executor = sched::kernel_work_queue().executor().statistics();
    SchedulerStatistics statistics{scheduler.idle_nanoseconds,
                                   scheduler.context_switches,
                                   sched::kernel_group().runtime_nanoseconds,
                                   __atomic_load_n(&work_jobs_done, __ATOMIC_RELAXED),
                                   executor.spawns,
                                   executor.polls,
                                   executor.wakes};
    TRY(arguments.out<SchedulerStatistics>(0).write(statistics));
    return 0;
}
