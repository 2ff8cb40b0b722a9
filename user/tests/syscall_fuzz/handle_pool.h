#pragma once

// The handle values a worker knows about: live ones (with what they name) to use and to forge
// from, and stale ones (closed or moved away) to use again. Only what this worker did is
// tracked: values that random calls close or move behind its back stay "live" here, which is
// fine for a pool of things to try.

#include <poplar/abi/syscalls.h>

#include "random.h"

namespace fuzz {

using poplar::abi::HandleValue;

enum class Kind : u8 { unknown, channel, event, memory, task };

struct PoolEntry {
    HandleValue value;
    Kind kind;
    u32 pages;  // memory objects: their size (0 if not known)
};

class HandlePool {
public:
    static constexpr usize capacity = 128;
    static constexpr usize stale_capacity = 64;

    // False (and nothing kept) when full.
    bool add(HandleValue value, Kind kind, u32 pages = 0);
    // The value was closed or moved: keep it as stale.
    void forget(HandleValue value);

    // A random live entry of `kind` (any kind for Kind::unknown), or null.
    const PoolEntry* pick(Random& random, Kind kind) const;
    const PoolEntry* find(HandleValue value) const;
    // A random stale value, or 0.
    HandleValue stale(Random& random) const;

    usize size() const { return count_; }
    bool full() const { return count_ == capacity; }

private:
    PoolEntry entries_[capacity] = {};
    usize count_ = 0;
    HandleValue stale_[stale_capacity] = {};
    usize stale_count_ = 0;
    usize stale_next_ = 0;
};

}  // namespace fuzz
