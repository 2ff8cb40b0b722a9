// family::generations: a handle value, once closed, must never name anything again. One slot is
// reused (create, close) until its generation counter has gone all the way round; the old
// value must still give BadHandle.

#include "steps.h"

namespace fuzz {

namespace {

// More reuses than the old 15-bit generation had values (today's 22 bits are tested to the end
// by the kernel test handle_table.a_slot_whose_generations_run_out_is_retired).
constexpr u64 reuses = 40000;
constexpr u64 slot_mask = 0x3ff;  // (generation << 10) | slot

}  // namespace

void generation_step(Fuzzer& f) {
    auto first = f.call(Syscall::event_create);
    if (!first.is_ok()) return;
    u64 stale = first.value;
    f.call(Syscall::handle_close, stale);
    abi::HandleInfo info{};
    for (u64 i = 1; i <= reuses; ++i) {
        auto next = f.call(Syscall::event_create);
        if (!next.is_ok()) return;
        // The table hands out its lowest free slot: the same one each time, while this worker
        // makes nothing else.
        if ((next.value & slot_mask) != (stale & slot_mask)) {
            f.call(Syscall::handle_close, next.value);
            return;
        }
        if (next.value == stale) {
            f.fail("a closed handle value is never issued again (generation wrapped)", u64(Syscall::event_create), 0,
                   i);
            f.call(Syscall::handle_close, next.value);
            return;
        }
        if (i % 4096 == 0)
            f.expect_status(f.call(Syscall::handle_info, stale, sys::arg(&info)), Error::BadHandle,
                            "a closed handle value names nothing", u64(Syscall::handle_info));
        f.call(Syscall::handle_close, next.value);
    }
}

}  // namespace fuzz
