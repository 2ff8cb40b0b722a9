#include "fuzzer.h"

#include <poplar/print.h>

#include "arena.h"
#include "raw_call.h"

namespace fuzz {

namespace {

constexpr u64 max_printed_failures = 16;

// The program's own code: readable, never writable.
[[gnu::noinline]] void text_marker() { asm volatile(""); }

constexpr u64 kernel_addresses[] = {0xffff800000000000ull, 0xffffffff80000000ull, 0xffffc00000000000ull,
                                    0xfffffffffffff000ull};
constexpr u64 non_canonical_addresses[] = {0x0000800000000000ull, 0x8000000000000000ull, 0x00007ffffffff000ull};

// The lengths a mapping of an object of unknown size may have (the sizes the fuzzer creates).
constexpr u64 likely_mapping_lengths[] = {4096, 8192, 65536};

Kind kind_of_type(poplar::ObjectType type) {
    switch (type) {
        case poplar::ObjectType::Channel:
            return Kind::channel;
        case poplar::ObjectType::Event:
            return Kind::event;
        case poplar::ObjectType::MemoryObject:
            return Kind::memory;
        case poplar::ObjectType::Task:
            return Kind::task;
        default:
            return Kind::unknown;
    }
}

}  // namespace

Fuzzer::Fuzzer(const Orders& orders, HandleValue control, const Shared& shared, const char* name)
    : orders_(orders),
      control_(control),
      shared_(shared),
      name_(name),
      random_(orders.seed),
      next_progress_(orders.progress_every) {}

RawResult Fuzzer::call(u64 number, u64 a0, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5) {
    RawResult result = enabled(family::rflags) && random_.one_in(2)
                           ? raw_with_flags(random_.next(), number, a0, a1, a2, a3, a4, a5)
                           : sys::raw(number, a0, a1, a2, a3, a4, a5);
    ++report_.calls;
    if (result.status < known_statuses) {
        ++report_.statuses[result.status];
    } else {
        ++report_.statuses[known_statuses];
        fail("every answer is 0 or a base::Error code up to LimitReached", number, result.status);
    }
    if (orders_.progress_every && report_.calls >= next_progress_) {
        next_progress_ += orders_.progress_every;
        report(false);
    }
    return result;
}

HandleArgument Fuzzer::handle(Kind kind) {
    if (enabled(family::handles) && random_.one_in(3)) return hostile_handle();
    // Now and then a live handle of another type (WrongType).
    const PoolEntry* entry = pool_.pick(random_, random_.one_in(16) ? Kind::unknown : kind);
    if (!entry) entry = pool_.pick(random_, Kind::unknown);
    if (!entry) return {};
    return {entry->value, false, entry->kind};
}

// A handle value is (generation << 10) | slot (docs/syscalls.md).
constexpr u32 slot_bits = 10;

HandleArgument Fuzzer::hostile_handle() {
    const PoolEntry* live = pool_.pick(random_, Kind::unknown);
    u64 base = live ? live->value : 0;
    u64 forged;
    switch (random_.below(8)) {
        case 0:
            return {pool_.stale(random_), false};  // names nothing, unless its generation wrapped
        case 1:
            return {base | (1ull << random_.between(32, 63)), true};  // any bit above 32 names nothing
        case 2:
            return {base | 0xffffffff00000000ull, true};
        case 3:
            return {1ull << 32, true};  // "the caller" (0) if the kernel dropped the upper half
        case 4: {
            // The same slot in another generation, (generation << 10) | slot: certainly nothing
            // while the original is live (asked just before, as the pool may be out of date).
            constexpr u64 generations = (1ull << 22) - 1;
            u64 generation = (base >> slot_bits) & generations;
            u64 other = 1 + (generation + random_.between(0, generations - 2)) % generations;
            abi::HandleInfo info{};
            bool base_live = live && call(Syscall::handle_info, base, sys::arg(&info)).is_ok();
            return {(other << slot_bits) | (base & ((1u << slot_bits) - 1)), base_live};
        }
        case 5:
            // A generation no slot reaches in a run (the last before a slot is retired).
            forged = (((1ull << 22) - 2) << slot_bits) | random_.below(1u << slot_bits);
            break;
        case 6:
            forged = random_.next() & 0xffffffff;
            break;
        default:
            forged = random_.below(1u << slot_bits);  // generation 0 is never issued
            break;
    }
    // Anything not issued to us names nothing: every handle this worker holds is tracked.
    return {forged, forged != 0 && !known_live(forged)};
}

HandleValue Fuzzer::handle_in_memory(Kind kind) {
    HandleArgument argument = handle(kind);
    return argument.value > 0xffffffff ? hostile_handle_in_memory() : static_cast<HandleValue>(argument.value);
}

HandleValue Fuzzer::hostile_handle_in_memory() {
    for (;;) {
        HandleArgument argument = hostile_handle();
        if (argument.value <= 0xffffffff) return static_cast<HandleValue>(argument.value);
    }
}

PointerArgument Fuzzer::pointer(u64 length, Access access) {
    if (enabled(family::pointers) && random_.one_in(3)) return hostile_pointer(length);
    if (access == Access::input && length <= arena::read_only_size && random_.one_in(8)) {
        u64 address = arena::read_only + random_.below(arena::read_only_size - length + 1);
        return PointerArgument::read_only(address, arena::read_only + arena::read_only_size - address);
    }
    u64 room = length < arena::scratch_size ? arena::scratch_size - length : 0;
    u64 offset = random_.one_in(8) ? random_.below(room + 1) : random_.below(room / 8 + 1) * 8;
    return PointerArgument::valid(arena::scratch + offset);
}

PointerArgument Fuzzer::hostile_pointer(u64 length) {
    switch (random_.below(10)) {
        case 0:
            return PointerArgument::outside(0);
        case 1:
            return PointerArgument::outside(abi::user_space_start - abi::page_size * random_.between(1, 15));
        case 2:
            return PointerArgument::outside(random_.pick(kernel_addresses));
        case 3:
            return PointerArgument::outside(random_.pick(non_canonical_addresses));
        case 4: {
            // Just below the end of user space (kept unmapped, see arena::top): outside if the
            // range runs past the end.
            u64 address = abi::user_space_end - random_.between(1, 64);
            bool past = address + length < address || address + length > abi::user_space_end;
            return past ? PointerArgument::outside(address) : PointerArgument::unmapped(address);
        }
        case 5:
            return PointerArgument::outside(~u64(0) - random_.below(16));
        case 6:
            return PointerArgument::unmapped(arena::never_mapped + random_.below(arena::map_zone_slot / 2));
        case 7: {
            // Starts at the end of scratch, runs into the unmapped page after it.
            u64 end = arena::scratch + arena::scratch_size;
            u64 address = end - random_.between(0, base::min<u64>(length, abi::page_size));
            return PointerArgument::straddling(address, end - address);
        }
        case 8: {
            // The read-only view, perhaps running into the unmapped page after it.
            u64 end = arena::read_only + arena::read_only_size;
            u64 address = length <= arena::read_only_size && random_.one_in(2)
                              ? arena::read_only + random_.below(arena::read_only_size - length + 1)
                              : end - random_.between(0, base::min<u64>(length, abi::page_size));
            return PointerArgument::read_only(address, end - address);
        }
        default:
            return PointerArgument::read_only(reinterpret_cast<u64>(&text_marker));
    }
}

u64 Fuzzer::size(u64 typical, u64 limit) {
    if (enabled(family::sizes) && random_.one_in(4)) {
        switch (random_.below(8)) {
            case 0:
                return 0;
            case 1:
                return 1;
            case 2:
                return limit ? limit - 1 : 0;
            case 3:
                return limit;
            case 4:
                return limit + 1;
            case 5:
                return ~u64(0);
            case 6:
                return 1ull << random_.between(31, 63);
            default:
                return limit * 2;
        }
    }
    switch (random_.below(4)) {
        case 0:
            return random_.below(17);
        case 1:
            return random_.below(typical + 1);
        case 2:
            return typical;
        default:
            return random_.below(base::min<u64>(typical, 256) + 1);
    }
}

u64 Fuzzer::deadline() {
    switch (random_.below(5)) {
        case 0:
        case 1:
            return abi::deadline_now;
        case 2:
            return 1;  // long passed
        default:
            return sys::clock_read() + random_.between(1'000, 300'000);
    }
}

void Fuzzer::adopt(HandleValue value, Kind kind, u32 pages) {
    if (value == 0) return;
    if (pool_.full()) {
        HandleValue old = pool_.pick(random_, Kind::unknown)->value;
        call(Syscall::handle_close, old);
        forget(old);
    }
    pool_.add(value, kind, pages);
}

void Fuzzer::harvest(u64 address, u64 count) {
    if (count > abi::max_message_handles || !arena::in_scratch(address, count * sizeof(HandleValue))) return;
    HandleValue values[abi::max_message_handles];
    __builtin_memcpy(values, reinterpret_cast<const void*>(address), count * sizeof(HandleValue));
    for (u64 i = 0; i < count; ++i) adopt(values[i], kind_of(values[i]));
}

Kind Fuzzer::kind_of(HandleValue value) {
    abi::HandleInfo info{};
    if (!call(Syscall::handle_info, value, sys::arg(&info)).is_ok()) return Kind::unknown;
    return kind_of_type(info.object_type);
}

HandleValue Fuzzer::make(Kind kind) {
    switch (kind) {
        case Kind::channel: {
            HandleValue first, second;
            return make_channel(first, second) ? first : 0;
        }
        case Kind::memory: {
            auto result = call(Syscall::memory_object_create, abi::page_size, abi::memory_flags::writable);
            if (!result.is_ok()) return 0;
            adopt(static_cast<HandleValue>(result.value), Kind::memory, 1);
            return static_cast<HandleValue>(result.value);
        }
        default: {
            auto result = call(Syscall::event_create);
            if (!result.is_ok()) return 0;
            adopt(static_cast<HandleValue>(result.value), Kind::event);
            return static_cast<HandleValue>(result.value);
        }
    }
}

bool Fuzzer::make_channel(HandleValue& first, HandleValue& second) {
    HandleValue pair[2] = {};
    if (!call(Syscall::channel_create, sys::arg(pair)).is_ok()) return false;
    adopt(pair[0], Kind::channel);
    adopt(pair[1], Kind::channel);
    first = pair[0];
    second = pair[1];
    return true;
}

void Fuzzer::hold(HandleValue value) {
    for (HandleValue& slot : held_) {
        if (slot == 0) {
            slot = value;
            return;
        }
    }
    // Unprotected, random calls could close it behind the bookkeeping's back: say so.
    fail("the worker keeps track of every handle it holds", 0, 0, value);
}

bool Fuzzer::is_held(u64 value) const {
    for (HandleValue held : held_)
        if (held != 0 && held == value) return true;
    return false;
}

void Fuzzer::release(HandleValue value) {
    for (HandleValue& slot : held_)
        if (slot == value) slot = 0;
}

bool Fuzzer::known_live(u64 value) const {
    if (value == control_ || pool_.find(static_cast<HandleValue>(value))) return true;
    for (u32 i = 0; i < shared_.channel_count; ++i)
        if (shared_.channels[i] == value) return true;
    for (u32 i = 0; i < shared_.event_count; ++i)
        if (shared_.events[i] == value) return true;
    for (HandleValue held : held_)
        if (held == value) return true;
    return false;
}

void Fuzzer::note_mapping(u64 address, u64 length) {
    if (mapping_count_ == max_mappings) unmap_all();
    mappings_[mapping_count_++] = {address, length};
}

bool Fuzzer::pick_mapping(u64& address, u64& length) {
    if (mapping_count_ == 0) return false;
    const Mapping& mapping = mappings_[random_.below(mapping_count_)];
    address = mapping.address;
    length = mapping.length ? mapping.length : random_.pick(likely_mapping_lengths);
    return true;
}

void Fuzzer::mapping_gone(u64 address) {
    for (usize i = 0; i < mapping_count_; ++i)
        if (mappings_[i].address == address) mappings_[i] = mappings_[--mapping_count_];
}

void Fuzzer::unmap_all() {
    // Random calls may have unmapped some already (and mapped others there): no rule is checked.
    for (usize i = 0; i < mapping_count_; ++i) {
        const Mapping& mapping = mappings_[i];
        if (mapping.length) {
            call(Syscall::memory_unmap, mapping.address, mapping.length);
            continue;
        }
        for (u64 length : likely_mapping_lengths)
            if (call(Syscall::memory_unmap, mapping.address, length).error() != Error::InvalidArgument) break;
    }
    mapping_count_ = 0;
}

void Fuzzer::tidy() {
    if (mapping_count_ > max_mappings / 2) unmap_all();
    if (pool_.size() < HandlePool::capacity * 3 / 4) return;
    while (pool_.size() > HandlePool::capacity / 2) {
        HandleValue old = pool_.pick(random_, Kind::unknown)->value;
        call(Syscall::handle_close, old);
        forget(old);
    }
}

void Fuzzer::let_go_of_everything() {
    unmap_all();
    while (pool_.size() > 0) {
        HandleValue old = pool_.pick(random_, Kind::unknown)->value;
        call(Syscall::handle_close, old);
        forget(old);
    }
}

void Fuzzer::fail(const char* rule, u64 number, u64 status, u64 detail) {
    if (report_.failures++ < max_printed_failures)
        poplar::println("{}: FAIL {}: call {} (number {}) gave status {} (detail {:#x})", name_, rule, report_.calls,
                        number, status, detail);
}

void Fuzzer::expect_status(const RawResult& result, Error error, const char* rule, u64 number) {
    if (result.status != static_cast<u64>(error)) fail(rule, number, result.status);
}

void Fuzzer::expect_ok(const RawResult& result, const char* rule, u64 number) {
    if (!result.is_ok()) fail(rule, number, result.status);
}

void Fuzzer::check_handle(const RawResult& result, const HandleArgument& handle, Syscall number) {
    if (handle.bad && result.error() != Error::BadHandle)
        fail("a value that names nothing gives BadHandle", u64(number), result.status, handle.value);
}

void Fuzzer::check_output(const RawResult& result, const PointerArgument& pointer, u64 length, Syscall number) {
    if (result.is_ok() && pointer.bad_for_output(length))
        fail("a call whose output cannot be written does not succeed", u64(number), result.status, pointer.address);
    if (!arena::read_only_intact(pointer.address, length))
        fail("read-only memory stays as it was", u64(number), result.status, pointer.address);
}

void Fuzzer::report(bool final) {
    report_.final = final ? 1 : 0;
    u64 give_up = sys::clock_read() + 2'000'000'000;
    for (;;) {
        auto sent = sys::raw(Syscall::channel_send, control_, sys::arg(&report_), sizeof(report_), 0, 0);
        // Progress may be dropped when the coordinator is behind; the last word is retried while
        // the queue is full, memory short or the quota used up (by messages others still hold).
        bool again =
            sent.error() == Error::ShouldWait || sent.error() == Error::NoMemory || sent.error() == Error::LimitReached;
        if (!final || !again || sys::clock_read() > give_up) return;
        (void)sys::sleep(sys::deadline_after(10'000'000));
    }
}

}  // namespace fuzz
