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

inline bool same_counts(const poplar::abi::ObjectCounts& a, const poplar::abi::ObjectCounts& b) {
    return a.tasks == b.tasks && a.threads == b.threads && a.address_spaces == b.address_spaces &&
           a.memory_objects == b.memory_objects && a.channels == b.channels && a.events == b.events;
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
    } while (0)
