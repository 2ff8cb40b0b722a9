#pragma once

// Per-CPU state, reached through GS while in the kernel. The layout of the first fields is
// fixed: syscall_entry.S uses their offsets.

#include <base/types.h>

class Thread;

namespace x86_64 {

struct PerCpu {
    PerCpu* self;            // 0
    u64 kernel_stack_top;    // 8: loaded by syscall_entry
    u64 user_stack_scratch;  // 16: the user rsp while syscall_entry builds its frame
    u64 reserved;            // 24
};

static_assert(__builtin_offsetof(PerCpu, kernel_stack_top) == 8);
static_assert(__builtin_offsetof(PerCpu, user_stack_scratch) == 16);

// Sets up this CPU's per-CPU block, the syscall MSRs, the FPU and the protection features
// (SMEP, SMAP, NX).
void initialize_cpu();

PerCpu& this_cpu();

extern bool smap_active;
inline bool smap_enabled() { return smap_active; }

}  // namespace x86_64
