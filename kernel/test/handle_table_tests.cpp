// The handle table on the target: values never come back, even when a slot's generations run
// out (test=ktest).

#include <object/event.h>
#include <object/handle_table.h>
#include <test/kernel_test.h>

namespace {

base::RefPtr<KernelObject> make_event() { return MUST(Event::create()); }

}  // namespace

KERNEL_TEST(handle_table, a_slot_whose_generations_run_out_is_retired) {
    HandleTable table;
    auto event = make_event();
    HandleValue first = MUST(table.add(Handle(event, 0)));
    u32 slot = first & 1023;
    HandleValue value = first;
    // Every generation of the slot, once each; none repeats, and each closed value stays dead.
    u64 issued = 1;
    for (;;) {
        MUST(table.close(value));
        KEXPECT(table.look_up(value).is_error());
        value = MUST(table.add(Handle(event, 0)));
        if ((value & 1023) != slot) break;  // the slot is retired: the table moved on
        ++issued;
    }
    KEXPECT_EQ(issued, (1u << 22) - 1);
    KEXPECT(table.look_up(first).is_error());
    KEXPECT_EQ(table.count(), 1u);
    // A full table of retired slots and live handles says LimitReached, not a wrapped value.
    KEXPECT(table.reserve(HandleTable::max_handles - 1).is_error());
    KEXPECT(table.reserve(HandleTable::max_handles - 2).is_ok());
}
