#pragma once

// Live kernel object counts, for tests that show that what they created is gone again.

#include <base/assert.h>
#include <poplar/syscall.h>
#include "test.h"

namespace usertest {

inline poplar::abi::ObjectCounts counts() {
    auto result = poplar::sys::debug_object_counts();
    ASSERT(result.is_ok());
    return result.value();
}

// The counts once they are back to `expected`, or as they are after `patience` ns: teardown of a
// task that just ended may finish a little after its terminated signal.
inline poplar::abi::ObjectCounts settled_counts(const poplar::abi::ObjectCounts& expected,
                                                u64 patience = 1'000'000'000) {
    u64 end = poplar::sys::clock_read() + patience;
    auto now = counts();
    while (!(now == expected) && poplar::sys::clock_read() < end) {
        (void)poplar::sys::sleep(poplar::sys::deadline_after(1'000'000));
        now = counts();
    }
    return now;
}

}  // namespace usertest

#define EXPECT_COUNTS_EQ(now, before)                             \
    do {                                                          \
        EXPECT_EQ((now).tasks, (before).tasks);                   \
        EXPECT_EQ((now).threads, (before).threads);               \
        EXPECT_EQ((now).address_spaces, (before).address_spaces); \
        EXPECT_EQ((now).memory_objects, (before).memory_objects); \
        EXPECT_EQ((now).channels, (before).channels);             \
        EXPECT_EQ((now).events, (before).events);                 \
        EXPECT_EQ((now).service_scopes, (before).service_scopes); \
        EXPECT_EQ((now).rings, (before).rings);                   \
    } while (0)
