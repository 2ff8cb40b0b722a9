// ring_create, ring_enter. A ring's memory joins the pool as a memory object: map_call maps it
// and other calls' outputs land in it, so the kernel meets rings whose cursors and entries are
// whatever happened to be written there.

#include "calls.h"

namespace fuzz {

void ring_create_call(Fuzzer& f) {
    constexpr u64 sizes[] = {1, 2, 4, 8};
    constexpr u64 hostile_sizes[] = {0, 3, u64(abi::ring_max_entries) * 2, 1ull << 32, ~u64(0)};
    u64 entries = f.random().pick(sizes);
    if (f.enabled(family::sizes) && f.random().one_in(4)) entries = f.random().pick(hostile_sizes);
    PointerArgument out = f.pointer(sizeof(abi::RingHandles), Access::output);
    auto result = f.call(Syscall::ring_create, entries, out.address);
    if (!abi::ring_entries_valid(entries))
        f.expect_status(result, Error::InvalidArgument, "ring_create refuses a size that is not a power of two <= 1024",
                        rule(Syscall::ring_create));
    f.check_output(result, out, sizeof(abi::RingHandles), Syscall::ring_create);
    if (result.is_ok()) f.harvest(out.address, 2);
}

void ring_enter_call(Fuzzer& f) {
    HandleArgument ring = f.handle(Kind::unknown);
    u64 to_submit = f.random().below(9), min_complete = f.random().below(3);
    if (f.enabled(family::sizes) && f.random().one_in(4)) {
        const u64 hostile[] = {abi::ring_max_entries + 1, 1ull << 32, ~u64(0)};
        if (f.random().one_in(2))
            to_submit = f.random().pick(hostile);
        else
            min_complete = f.random().pick(hostile);
    }
    auto result = f.call(Syscall::ring_enter, ring.value, to_submit, min_complete, f.deadline());
    f.check_handle(result, ring, Syscall::ring_enter);
    if (result.is_ok() && result.value > to_submit)
        f.fail("ring_enter takes at most to_submit entries", rule(Syscall::ring_enter), 0, result.value);
}

}  // namespace fuzz
