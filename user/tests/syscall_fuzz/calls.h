#pragma once

// The structured calls, one function per system call (or two close ones), grouped by object in
// basic_calls.cpp, memory_calls.cpp, channel_calls.cpp, task_calls.cpp and ring_calls.cpp; structured_calls.cpp
// picks among them. Each draws its arguments from Fuzzer's choosers and checks the answer where
// the ABI (docs/syscalls.md) leaves no doubt.

#include "steps.h"

namespace fuzz {

// A rule's call number, for Fuzzer::fail.
constexpr u64 rule(Syscall number) { return static_cast<u64>(number); }

// Bytes of `count` handle values, saturating so that absurd counts stay absurd.
inline u64 handle_bytes(u64 count) { return count > (1ull << 40) ? ~u64(0) : count * sizeof(HandleValue); }

void log_call(Fuzzer& f);
void sleep_call(Fuzzer& f);
void yield_call(Fuzzer& f);
void clock_call(Fuzzer& f);
void close_call(Fuzzer& f);
void duplicate_call(Fuzzer& f);
void info_call(Fuzzer& f);
void event_create_call(Fuzzer& f);
void event_signal_call(Fuzzer& f);  // or clear
void wait_one_call(Fuzzer& f);
void wait_many_call(Fuzzer& f);
void counts_call(Fuzzer& f);  // the three debug counters
void unassigned_call(Fuzzer& f);

void memory_create_call(Fuzzer& f);
void map_call(Fuzzer& f);
void unmap_call(Fuzzer& f);

void channel_create_call(Fuzzer& f);
void send_call(Fuzzer& f);
void receive_call(Fuzzer& f);
void call_call(Fuzzer& f);

void spawn_call(Fuzzer& f);
void kill_call(Fuzzer& f);
void wait_task_call(Fuzzer& f);
void cpu_time_call(Fuzzer& f);
void weight_call(Fuzzer& f);

void ring_create_call(Fuzzer& f);
void ring_enter_call(Fuzzer& f);
void ring_operations_call(Fuzzer& f);  // a ring of its own, channel and service operations

}  // namespace fuzz
