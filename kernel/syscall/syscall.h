#pragma once

// What every system-call handler sees: the calling task, the arguments (raw, or as typed user
// pointers), and a way to report a detail alongside an error (rdx), e.g. the sizes a too-small
// receive buffer needed.

#include <arch/user_copy.h>
#include <base/result.h>
#include <object/task.h>
#include <sched/scheduler.h>
#include <syscall/user_pointer.h>

using namespace poplar::abi;

// A system call's context: the calling task, explicitly (a handler never asks "who is running"),
// its six argument registers, and a detail to return in rdx alongside an error.
struct SyscallArguments {
    Task& task;
    // rdi, rsi, rdx, r10, r8, r9 (in the entry's frame). A handler may write argument[4] (r8)
    // as a third result where the call says so (channel_receive's transaction).
    u64* argument;
    u64 error_detail = 0;  // returned in rdx when the call fails

    template <typename T>
    UserIn<T> in(usize index) const {
        return UserIn<T>(argument[index]);
    }
    template <typename T>
    UserOut<T> out(usize index) const {
        return UserOut<T>(argument[index]);
    }
};

using SyscallResult = base::ErrorOr<u64>;
using SyscallHandler = SyscallResult (*)(SyscallArguments&);

// Blocks until `object` shows one of `wanted` signals or the deadline passes. Returns the
// signals seen. TimedOut (ShouldWait for a zero deadline) puts the signals in error_detail.
base::ErrorOr<u32> wait_for_signals(KernelObject& object, u32 wanted, u64 deadline, SyscallArguments& arguments);

// The handlers, one family per file, one per entry of POPLAR_SYSCALLS (lib/poplar/abi). A handler
// reads argument[i] as the entry's i-th `(type, name)` pair and returns what the entry's result says.
#define DECLARE_SYSCALL_HANDLER(name, ...) SyscallResult sys_##name(SyscallArguments&);
POPLAR_SYSCALLS(DECLARE_SYSCALL_HANDLER)
#undef DECLARE_SYSCALL_HANDLER
