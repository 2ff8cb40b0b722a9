#pragma once

// What the fuzzer's tasks tell each other. The coordinator (syscall_fuzz) sends each worker
// (syscall_fuzz_worker) its Orders as the first message on the channel that is its first start
// handle, with the shared objects attached; workers answer on it with Reports. Workers start
// their own children from the same module, with Orders of another role.

#include <base/types.h>

namespace fuzz {

constexpr char worker_module[] = "syscall_fuzz_worker";

enum class Role : u32 {
    fuzz = 1,  // make `calls` calls from the enabled families, report, exit
    exit_now,  // exit at once with `exit_status`
    fault,     // die of the fault `fault`
    victim,    // make hostile and blocking calls until killed (or until its parent is gone)
};

// How a `fault` child dies, and the exit status that gives (-1000 - the vector).
enum class FaultKind : u32 {
    kernel_write,         // write to a kernel address: page fault
    text_write,           // write to its own code: page fault
    null_jump,            // jump to address 0: page fault
    invalid_opcode,       // ud2
    divide,               // divide by zero
    breakpoint,           // int3: the gate is ring 0 only, so a general protection fault
    privileged,           // hlt in user mode: general protection fault
    non_canonical,        // load from a non-canonical address: general protection fault
    single_step,          // popfq with TF set: a debug exception after the next instruction
    stack_overflow,       // recursion into the guard page under the stack
    bad_stack_syscall,    // syscall with rsp pointing at the kernel; the next push faults
    syscall_at_user_end,  // syscall in the last bytes below user_space_end: the return address is
                          // the end of user space (the kernel must return through iretq)
    count
};

// The statuses a child of each kind may end with (-1 when killed first).
bool fault_status_expected(FaultKind kind, i64 status);

struct Orders {
    static constexpr u32 magic_value = 0x5a5a4f31;
    u32 magic = magic_value;
    Role role = Role::fuzz;
    u64 seed = 0;
    u32 families = 0;
    u32 index = 0;           // the worker's number, for messages
    u64 calls = 0;           // fuzz and victim: how many calls to make
    u64 progress_every = 0;  // fuzz: send a progress Report after this many calls (0: never)
    i64 exit_status = 0;     // exit_now
    FaultKind fault = FaultKind::kernel_write;
    u32 shared_channels = 0;  // of the handles attached: this many shared channel ends, then events
    u32 flags = 0;            // random RFLAGS for the fault child's last moments (rflags family)
};

// Status slots: 0 (ok), each base::Error code 1-18, and one for anything else.
constexpr u32 known_statuses = 19;
constexpr u32 status_slots = known_statuses + 1;

struct Report {
    static constexpr u32 magic_value = 0x5a5a5231;
    u32 magic = magic_value;
    u32 final = 0;  // 0: progress, 1: the worker's last word
    u64 calls = 0;
    u64 failures = 0;  // broken rules (each printed by the worker)
    u64 statuses[status_slots] = {};
};

// A worker's exit statuses beyond 0 (all well) and 1 (rules broken).
constexpr i64 status_no_orders = 11;   // started without a channel (storm children do this)
constexpr i64 status_bad_orders = 12;  // the first message was not Orders

}  // namespace fuzz
