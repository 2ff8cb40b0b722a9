#include <arch/arch.h>
#include <base/narrow.h>
#include <mm/heap.h>
#include <object/handle_table.h>

namespace {

// A value is (generation << slot_bits) | slot, within 32 bits. Generation 0 is never issued (so
// 0 is never a handle); a slot whose generation reaches the maximum is retired, never reused, so
// no value can come round again to name a newer object.
constexpr u32 slot_bits = 10;
constexpr u32 max_generation = (1u << (32 - slot_bits)) - 1;
static_assert(HandleTable::max_handles <= (1u << slot_bits));

}  // namespace

HandleTable::~HandleTable() { release(); }

void HandleTable::release() {
    close_all();
    Slot* slots;
    usize capacity;
    {
        arch::InterruptGuard guard;
        slots = base::exchange(slots_, nullptr);
        capacity = base::exchange(capacity_, usize(0));
        retired_ = 0;
    }
    for (usize i = 0; i < capacity; ++i) slots[i].~Slot();
    mm::free(slots);
}

base::ErrorOr<void> HandleTable::grow_to(usize capacity) {
    if (capacity <= capacity_) return {};
    if (capacity > max_handles) return base::Error::LimitReached;
    auto* slots = static_cast<Slot*>(mm::allocate(capacity * sizeof(Slot)));
    if (!slots) return base::Error::NoMemory;
    for (usize i = 0; i < capacity; ++i) new (&slots[i]) Slot();
    for (usize i = 0; i < capacity_; ++i) {
        slots[i].handle = base::move(slots_[i].handle);
        slots[i].generation = slots_[i].generation;
        slots_[i].~Slot();
    }
    mm::free(slots_);
    slots_ = slots;
    capacity_ = capacity;
    return {};
}

base::ErrorOr<void> HandleTable::reserve(usize count) {
    arch::InterruptGuard guard;
    // Retired slots take room in the table without holding a handle.
    usize needed = used_ + retired_ + count;
    if (needed > max_handles) return base::Error::LimitReached;
    if (needed <= capacity_) return {};
    return grow_to(base::min(base::max(needed, capacity_ * 2), max_handles));
}

base::ErrorOr<HandleValue> HandleTable::add(Handle&& handle) {
    TRY(reserve(1));
    arch::InterruptGuard guard;
    for (usize index = 0; index < capacity_; ++index) {
        Slot& slot = slots_[index];
        if (slot.handle || slot.generation == max_generation) continue;
        ++slot.generation;
        slot.handle = base::move(handle);
        ++used_;
        return (slot.generation << slot_bits) | base::narrow<u32>(index);
    }
    VERIFY_NOT_REACHED();  // reserve made room
}

base::ErrorOr<u32> HandleTable::slot_index(u64 value) const {
    // System calls pass values in 64-bit registers: anything above 32 bits names nothing.
    if (value > 0xffffffffull) return base::Error::BadHandle;
    u32 index = u32(value) & ((1u << slot_bits) - 1);
    u32 generation = u32(value) >> slot_bits;
    if (index >= capacity_ || !slots_[index].handle || slots_[index].generation != generation)
        return base::Error::BadHandle;
    return index;
}

base::ErrorOr<const Handle*> HandleTable::get(u64 value) const {
    // A table changes only through its own task's thread (tasks have one), never in interrupt
    // handlers: a lookup needs no guard. (Tasks with several threads will need a table lock.)
    u32 index = TRY(slot_index(value));
    return &slots_[index].handle;
}

base::ErrorOr<Handle> HandleTable::take(u64 value) {
    arch::InterruptGuard guard;
    u32 index = TRY(slot_index(value));
    --used_;
    if (slots_[index].generation == max_generation) ++retired_;
    return base::move(slots_[index].handle);
}

base::ErrorOr<void> HandleTable::close(u64 value) {
    Handle handle = TRY(take(value));
    handle.reset();
    return {};
}

base::ErrorOr<HandleValue> HandleTable::replace(u64 value, u64 rights) {
    const Handle* original = TRY(get(value));
    if (rights & ~u64(original->rights())) return base::Error::InvalidArgument;
    {
        // In place, under the slot's next generation: needs no room, so it works in a full table.
        arch::InterruptGuard guard;
        u32 index = MUST(slot_index(value));
        Slot& slot = slots_[index];
        if (slot.generation < max_generation) {
            ++slot.generation;
            slot.handle.restrict_rights(base::narrow<u32>(rights));
            return (slot.generation << slot_bits) | index;
        }
    }
    // The slot's generations are used up: the handle moves to another slot and this one retires.
    TRY(reserve(1));
    Handle handle = MUST(take(value));
    handle.restrict_rights(base::narrow<u32>(rights));
    return MUST(add(base::move(handle)));
}

void HandleTable::close_all() {
    for (usize index = 0; index < capacity_; ++index) {
        Handle handle;
        {
            arch::InterruptGuard guard;
            if (!slots_[index].handle) continue;
            handle = base::move(slots_[index].handle);
            --used_;
        }
        handle.reset();  // may wake peers; outside the guard
    }
}
