// The calls on no object or on any: log, sleep, yield, clock, handles, events, waits, the debug
// counters, and numbers no call has.

#include "arena.h"
#include "calls.h"

namespace fuzz {

namespace {

constexpr char log_text[] = "~";
// Numbers no call has (the table has gaps), and numbers far beyond it.
constexpr u64 unassigned_numbers[] = {5,  9,  14, 19, 23, 29, 35,  39,   43,         49,         52,         59,     65,
                                      72, 79, 82, 89, 96, 99, 255, 1000, 1ull << 31, 1ull << 32, 1ull << 63, ~u64(0)};

// A number taken by a new call must leave the list above (it used to fail only when fuzzed).
constexpr bool none_is_assigned() {
    for (u64 number : unassigned_numbers)
        for (u64 assigned : abi::syscall_numbers)
            if (number == assigned) return false;
    return true;
}
static_assert(none_is_assigned(), "a number in unassigned_numbers belongs to a call");

}  // namespace

void log_call(Fuzzer& f) {
    u64 length = f.size(64, abi::max_log_bytes);
    if (length == 0) length = 1;
    PointerArgument text = f.hostile_pointer(length);
    // Readable text would fill the log: only now and then, and only one character.
    if (!text.bad_for_input(length)) text = PointerArgument::outside(0xffff800000000000ull);
    if (f.random().one_in(256)) {
        text = PointerArgument::valid(reinterpret_cast<u64>(log_text));
        length = 1;
    }
    auto result = f.call(Syscall::debug_log, text.address, length);
    if (length > abi::max_log_bytes)
        f.expect_status(result, Error::InvalidArgument, "debug_log refuses more than max_log_bytes",
                        rule(Syscall::debug_log));
    else if (text.bad_for_input(length))
        f.expect_status(result, Error::BadAddress, "debug_log of unreadable text gives BadAddress",
                        rule(Syscall::debug_log));
}

void sleep_call(Fuzzer& f) {
    f.expect_ok(f.call(Syscall::sleep, f.deadline()), "sleep until a near deadline succeeds", rule(Syscall::sleep));
}

void yield_call(Fuzzer& f) { f.expect_ok(f.call(Syscall::yield), "yield succeeds", rule(Syscall::yield)); }

void clock_call(Fuzzer& f) {
    f.expect_ok(f.call(Syscall::clock_read), "clock_read succeeds", rule(Syscall::clock_read));
}

void close_call(Fuzzer& f) {
    HandleArgument handle = f.handle(Kind::unknown);
    auto result = f.call(Syscall::handle_close, handle.value);
    f.check_handle(result, handle, Syscall::handle_close);
    if (result.is_ok()) f.forget(static_cast<HandleValue>(handle.value));
}

void duplicate_call(Fuzzer& f) {
    HandleArgument handle = f.handle(Kind::unknown);
    u64 rights = f.random().below(abi::rights::all + 1);
    if (f.enabled(family::handles) && f.random().one_in(4)) rights |= 1ull << f.random().between(10, 63);
    auto result = f.call(Syscall::handle_duplicate, handle.value, rights);
    f.check_handle(result, handle, Syscall::handle_duplicate);
    if (result.is_ok() && rights > abi::rights::all)
        f.fail("handle_duplicate refuses rights that do not exist", rule(Syscall::handle_duplicate), 0, rights);
    if (result.is_ok()) f.adopt(static_cast<HandleValue>(result.value), handle.kind);
}

void info_call(Fuzzer& f) {
    HandleArgument handle = f.handle(Kind::unknown);
    PointerArgument out = f.pointer(sizeof(abi::HandleInfo), Access::output);
    auto result = f.call(Syscall::handle_info, handle.value, out.address);
    f.check_handle(result, handle, Syscall::handle_info);
    f.check_output(result, out, sizeof(abi::HandleInfo), Syscall::handle_info);
}

void event_create_call(Fuzzer& f) {
    auto result = f.call(Syscall::event_create);
    if (result.is_ok()) f.adopt(static_cast<HandleValue>(result.value), Kind::event);
}

void event_signal_call(Fuzzer& f) {
    HandleArgument event = f.handle(Kind::event);
    Syscall number = f.random().one_in(3) ? Syscall::event_clear : Syscall::event_signal;
    f.check_handle(f.call(number, event.value), event, number);
}

void wait_one_call(Fuzzer& f) {
    HandleArgument handle = f.handle(Kind::unknown);
    u64 wanted = f.random().between(1, 31);
    if (f.enabled(family::sizes) && f.random().one_in(4)) {
        const u64 hostile[] = {0, 1ull << 32, 1ull << 31, ~u64(0)};
        wanted = f.random().pick(hostile);
    }
    auto result = f.call(Syscall::wait_one, handle.value, wanted, f.deadline());
    f.check_handle(result, handle, Syscall::wait_one);
    if (result.is_ok() && (wanted == 0 || wanted > 0xffffffff || (result.value & wanted) == 0))
        f.fail("wait_one succeeds only when a wanted signal is raised", rule(Syscall::wait_one), 0, result.value);
}

void wait_many_call(Fuzzer& f) {
    u64 count = f.size(4, abi::max_wait_items);
    u64 written = base::min(count, abi::max_wait_items);
    PointerArgument items = f.pointer(written * sizeof(abi::WaitItem), Access::output);
    if (arena::in_scratch(items.address, written * sizeof(abi::WaitItem))) {
        auto* item = reinterpret_cast<abi::WaitItem*>(items.address);
        for (u64 i = 0; i < written; ++i)
            item[i] = {f.handle_in_memory(Kind::unknown),
                       f.random().one_in(16) ? 0 : static_cast<u32>(f.random().between(1, 31)), 0, 0};
    }
    auto result = f.call(Syscall::wait_many, items.address, count, f.deadline());
    if (result.is_ok() && (count == 0 || count > abi::max_wait_items || result.value >= count))
        f.fail("wait_many succeeds only with 1-64 items and names one", rule(Syscall::wait_many), 0, result.value);
    f.check_output(result, items, written * sizeof(abi::WaitItem), Syscall::wait_many);
}

void counts_call(Fuzzer& f) {
    constexpr Syscall numbers[] = {Syscall::debug_object_counts, Syscall::debug_memory_usage,
                                   Syscall::debug_scheduler_statistics};
    constexpr u64 sizes[] = {sizeof(abi::ObjectCounts), sizeof(abi::KernelMemoryUsage),
                             sizeof(abi::SchedulerStatistics)};
    u64 which = f.random().below(3);
    PointerArgument out = f.pointer(sizes[which], Access::output);
    auto result = f.call(numbers[which], out.address);
    f.check_output(result, out, sizes[which], numbers[which]);
    if (!out.bad_for_output(sizes[which]))
        f.expect_ok(result, "the debug counters can be read into good memory", rule(numbers[which]));
}

void unassigned_call(Fuzzer& f) {
    u64 number = f.random().pick(unassigned_numbers);
    auto result = f.call(number, f.random().next(), f.random().next(), f.random().next());
    f.expect_status(result, Error::NotSupported, "a number no call has gives NotSupported", number);
}

}  // namespace fuzz
