#pragma once

// What ring_flooder tells sched_test when asked (one message of any bytes on the channel it was
// given; the answer is one RingFloodCounts): operations since it started, by outcome.

#include <base/types.h>

namespace sched_test {

struct RingFloodCounts {
    u64 rounds;     // batches submitted and fully completed
    u64 completed;  // completions read
    u64 ok;         // ... with status ok (woken waits, passed timeouts, no-ops, cancels)
    u64 cancelled;  // ... Cancelled (the waits its cancels aimed at)
    u64 refused;    // ... any other status (e.g. LimitReached: its work queue full)

    // What happened between `earlier` and these counts.
    RingFloodCounts since(const RingFloodCounts& earlier) const {
        return {rounds - earlier.rounds, completed - earlier.completed, ok - earlier.ok, cancelled - earlier.cancelled,
                refused - earlier.refused};
    }
};

}  // namespace sched_test
