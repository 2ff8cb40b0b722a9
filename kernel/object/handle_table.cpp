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
        IrqSpinLockGuard guard(lock_);
        slots = base::exchange(slots_, nullptr);
        capacity = base::exchange(capacity_, usize(0));
        retired_ = 0;
    }
    for (usize i = 0; i < capacity; ++i) slots[i].~Slot();
    mm::free(slots);
}

void HandleTable::close_all() {
    for (usize index = 0;; ++index) {
        Handle handle;
        {
            IrqSpinLockGuard guard(lock_);
            if (index >= capacity_) return;
            if (!slots_[index].handle) continue;
            handle = remove(u32(index));
        }
        handle.reset();  // may wake peers and tear objects down: outside the lock
    }
}

usize HandleTable::count() const {
    IrqSpinLockGuard guard(lock_);
    return used_;
}

// Under the lock: the heap's lock is a leaf, taken inside any other.
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

base::ErrorOr<void> HandleTable::reserve_locked(usize count) {
    // Retired slots take room in the table without holding a handle.
    usize needed = used_ + retired_ + count;
    if (needed > max_handles) return base::Error::LimitReached;
    if (needed <= capacity_) return {};
    return grow_to(base::min(base::max(needed, capacity_ * 2), max_handles));
}

base::ErrorOr<HandleValue> HandleTable::add(Handle&& handle) {
    IrqSpinLockGuard guard(lock_);
    TRY(reserve_locked(1));
    return insert(base::move(handle));
}

HandleValue HandleTable::insert(Handle&& handle) {
    for (usize index = 0; index < capacity_; ++index) {
        Slot& slot = slots_[index];
        if (slot.handle || slot.generation == max_generation) continue;
        ++slot.generation;
        slot.handle = base::move(handle);
        ++used_;
        return (slot.generation << slot_bits) | base::narrow<u32>(index);
    }
    VERIFY_NOT_REACHED();  // the caller made room
}

Handle HandleTable::remove(u32 index) {
    --used_;
    if (slots_[index].generation == max_generation) ++retired_;
    return base::move(slots_[index].handle);
}

bool HandleTable::slot_index(u64 value, u32& index) const {
    // System calls pass values in 64-bit registers: anything above 32 bits names nothing.
    if (value > 0xffffffffull) return false;
    index = u32(value) & ((1u << slot_bits) - 1);
    u32 generation = u32(value) >> slot_bits;
    return index < capacity_ && slots_[index].handle && slots_[index].generation == generation;
}

base::ErrorOr<Handle> HandleTable::take(u64 value) {
    IrqSpinLockGuard guard(lock_);
    u32 index;
    if (!slot_index(value, index)) return base::Error::BadHandle;
    return remove(index);
}

base::ErrorOr<void> HandleTable::close(u64 value) {
    Handle handle = TRY(take(value));
    handle.reset();  // outside the lock
    return {};
}

base::ErrorOr<HandleValue> HandleTable::replace(u64 value, u64 rights) {
    IrqSpinLockGuard guard(lock_);
    u32 index;
    if (!slot_index(value, index)) return base::Error::BadHandle;
    if (rights & ~u64(slots_[index].handle.rights())) return base::Error::InvalidArgument;
    u32 kept = base::narrow<u32>(rights);
    if (slots_[index].generation < max_generation) {
        // In place, under the slot's next generation: needs no room, so it works in a full table.
        Slot& slot = slots_[index];
        ++slot.generation;
        slot.handle.restrict_rights(kept);
        return (slot.generation << slot_bits) | index;
    }
    // The slot's generations are used up: the handle moves to another slot and this one retires.
    TRY(reserve_locked(1));
    Handle handle = remove(index);
    handle.restrict_rights(kept);
    return insert(base::move(handle));
}
