#include "handle_pool.h"

namespace fuzz {

bool HandlePool::add(HandleValue value, Kind kind, u32 pages) {
    if (count_ == capacity || value == 0) return false;
    entries_[count_++] = PoolEntry{value, kind, pages};
    return true;
}

void HandlePool::forget(HandleValue value) {
    for (usize i = 0; i < count_; ++i) {
        if (entries_[i].value != value) continue;
        entries_[i] = entries_[--count_];
        // The oldest stale value makes room.
        stale_[stale_next_] = value;
        stale_next_ = (stale_next_ + 1) % stale_capacity;
        if (stale_count_ < stale_capacity) ++stale_count_;
        return;
    }
}

const PoolEntry* HandlePool::pick(Random& random, Kind kind) const {
    // Reservoir sampling over the matching entries: one pass, no extra storage.
    const PoolEntry* chosen = nullptr;
    usize seen = 0;
    for (usize i = 0; i < count_; ++i) {
        if (kind != Kind::unknown && entries_[i].kind != kind) continue;
        if (random.below(++seen) == 0) chosen = &entries_[i];
    }
    return chosen;
}

const PoolEntry* HandlePool::find(HandleValue value) const {
    for (usize i = 0; i < count_; ++i)
        if (entries_[i].value == value) return &entries_[i];
    return nullptr;
}

HandleValue HandlePool::stale(Random& random) const { return stale_count_ ? stale_[random.below(stale_count_)] : 0; }

}  // namespace fuzz
