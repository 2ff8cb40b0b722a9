#pragma once

// The tests' cheap pseudo-random numbers (Marsaglia's xorshift64): deterministic for a seed, so a
// failing run repeats. (The syscall fuzzer has its own, seeded generator: syscall_fuzz/random.h.)

#include <base/types.h>

namespace usertest {

inline u64 xorshift(u64& state) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

}  // namespace usertest
