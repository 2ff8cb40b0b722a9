#pragma once

// Tags for operations in flight: a completion's tag names a slot and the slot's generation, so a
// tag is trusted only while the slot still holds the operation it was made for. A stale tag (the
// operation finished and the slot was reused), a forged one or a repeated completion finds
// nothing. Generations only grow; a slot whose generation is spent is retired, never reused, so
// no tag ever comes back to life. Tag 0 is never made (generations start at 1): the executor uses
// it for entries whose completion nobody waits for (cancels).
//
// Portable (no system calls): host-tested in tests/host/async_slot_table_test.cpp.

#include <base/result.h>
#include <base/span.h>
#include <base/types.h>

namespace poplar::async {

template <typename T>
class SlotTable {
public:
    static constexpr u32 index_bits = 16;
    static constexpr usize max_slots = usize(1) << index_bits;
    static constexpr u64 last_generation = (u64(1) << (64 - index_bits)) - 1;

    struct Slot {
        T* item = nullptr;
        u64 generation = 0;  // of the tag the slot hands out next (or holds, when item is set)
        u32 next_free = 0;
    };

    SlotTable() = default;
    // `storage` (at most max_slots) is the caller's and must outlive the table.
    explicit SlotTable(base::Span<Slot> storage) : slots_(storage) {
        usize count = storage.size() < max_slots ? storage.size() : max_slots;
        for (usize i = 0; i < count; ++i) slots_[i] = Slot{nullptr, 1, static_cast<u32>(i + 1)};
        free_ = count ? 0 : none;
        if (count) slots_[count - 1].next_free = none;
    }

    // A tag for `item`, or LimitReached when every slot is taken (or retired).
    base::ErrorOr<u64> insert(T* item) {
        if (free_ == none) return base::Error::LimitReached;
        u32 index = free_;
        Slot& slot = slots_[index];
        free_ = slot.next_free;
        slot.item = item;
        ++live_;
        return (slot.generation << index_bits) | index;
    }

    // The item `tag` names, if the tag is live.
    T* find(u64 tag) const {
        u64 index = tag & (max_slots - 1);
        if (index >= slots_.size()) return nullptr;
        const Slot& slot = slots_[index];
        if (!slot.item || slot.generation != (tag >> index_bits)) return nullptr;
        return slot.item;
    }

    // Takes the item out: its tag is dead from now on. Null for a tag that is not live.
    T* take(u64 tag) {
        T* item = find(tag);
        if (!item) return nullptr;
        u32 index = static_cast<u32>(tag & (max_slots - 1));
        Slot& slot = slots_[index];
        slot.item = nullptr;
        --live_;
        if (slot.generation == last_generation) {
            ++retired_;  // spent: never handed out again
            return item;
        }
        ++slot.generation;
        slot.next_free = free_;
        free_ = index;
        return item;
    }

    usize live() const { return live_; }
    usize retired() const { return retired_; }
    usize capacity() const { return slots_.size() < max_slots ? slots_.size() : max_slots; }

    // Tests only: pretend slot `index` has handed out `generation` tags already.
    void set_generation_for_test(usize index, u64 generation) { slots_[index].generation = generation; }

private:
    static constexpr u32 none = ~u32(0);

    base::Span<Slot> slots_;
    u32 free_ = none;
    usize live_ = 0;
    usize retired_ = 0;
};

}  // namespace poplar::async
