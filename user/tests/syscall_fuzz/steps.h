#pragma once

// One step of each family: a call, or a short structured sequence of calls. The worker's loop
// picks steps at random among the enabled families (worker.cpp).

#include "fuzzer.h"

namespace fuzz {

// Always on: each system call with arguments drawn by Fuzzer's choosers (hostile ones when the
// handles, pointers or sizes families are on), and the answer checked where it is certain.
void structured_call(Fuzzer& fuzzer);
// family::random: any number, any arguments.
void random_call(Fuzzer& fuzzer);
// family::cycles and family::chains (channel_graphs.cpp).
void cycle_step(Fuzzer& fuzzer);
void chain_step(Fuzzer& fuzzer);
// family::races: calls on the channels and events every worker shares.
void race_step(Fuzzer& fuzzer);
// family::tasks: spawn, kill and exit storms. storm_finish kills and reaps what is left.
void storm_step(Fuzzer& fuzzer);
void storm_finish(Fuzzer& fuzzer);
// family::generations: one slot reused until its generation would wrap (about 80,000 calls).
void generation_step(Fuzzer& fuzzer);
// family::kernel_work: debug_kernel_work submitted and cancelled in a tight loop.
void kernel_work_step(Fuzzer& fuzzer);
// A call that blocks until the caller is killed or its parent goes away (victims).
void blocking_call(Fuzzer& fuzzer);

// Writes `count` handle values to move at `address` (when it is scratch): live ones, and with
// the handles family stale, forged and repeated ones or `carrier` itself. Channel ends are moved
// only when the cycles family is on (queued ends are how cycles form).
void fill_transfer(Fuzzer& fuzzer, u64 address, u64 count, HandleValue carrier);
// After a successful move: the values at `address` are no longer ours.
void forget_transferred(Fuzzer& fuzzer, u64 address, u64 count);

}  // namespace fuzz
