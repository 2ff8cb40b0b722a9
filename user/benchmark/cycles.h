#pragma once

// The time-stamp counter, fenced so that the instructions measured stay between two reads (under
// QEMU's -icount it counts instructions).

#include <base/types.h>

namespace bench {

inline u64 cycles() {
    u32 low, high;
    asm volatile("lfence\n\trdtsc\n\tlfence" : "=a"(low), "=d"(high)::"memory");
    return (u64(high) << 32) | low;
}

}  // namespace bench
