// family::kernel_work: debug_kernel_work submitted and cancelled in a tight loop, on the caller's
// account and the kernel's, with units and accounts at and beyond their limits. Each submission
// starts a job that a kernel worker thread may run (and finish) while the call is still on its
// way out.

#include "steps.h"

namespace fuzz {

namespace {

constexpr u64 max_units = 100000;  // docs/syscalls.md, debug_kernel_work
constexpr u64 cancel_every = 16;   // keeps the queue short of its 256 jobs, and the CPU they take low

}  // namespace

void kernel_work_step(Fuzzer& f) {
    constexpr u64 hostile_units[] = {0, max_units, max_units + 1, ~u64(0)};
    constexpr u64 hostile_accounts[] = {abi::work_account::caller, abi::work_account::kernel, 2, ~u64(0)};
    u64 account = f.random().below(2);
    u64 rounds = f.random().between(32, 256);
    for (u64 i = 0; i < rounds; ++i) {
        u64 units = f.random().between(1, 2), target = account;
        if (f.random().one_in(8)) {
            units = f.random().pick(hostile_units);
            target = f.random().pick(hostile_accounts);
        }
        auto result = f.call(Syscall::debug_kernel_work, units, target);
        if (units > max_units || target > abi::work_account::kernel)
            f.expect_status(result, Error::InvalidArgument, "debug_kernel_work refuses bad units or accounts",
                            u64(Syscall::debug_kernel_work));
        // A long job (10 s of CPU) is cancelled at once: the point is the race, not the work.
        if ((result.is_ok() && units > 2) || i % cancel_every == cancel_every - 1)
            f.call(Syscall::debug_kernel_work, 0, target <= abi::work_account::kernel ? target : account);
    }
    f.call(Syscall::debug_kernel_work, 0, abi::work_account::caller);
    f.call(Syscall::debug_kernel_work, 0, abi::work_account::kernel);
}

}  // namespace fuzz
