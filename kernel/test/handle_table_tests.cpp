// The handle table on the target: values never come back, even when a slot's generations run
// out, and lookups hold what they find (test=ktest).

#include <object/event.h>
#include <object/handle_table.h>
#include <object/task.h>
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

namespace rights = poplar::abi::rights;

// A lookup takes a reference of its own under the table's lock: the object outlives a close of
// its handle that comes after.
KERNEL_TEST(handle_table, a_lookup_keeps_the_object_after_its_handle_closes) {
    HandleTable table;
    auto event = MUST(Event::create());
    HandleValue value = MUST(table.add(Handle(event, rights::wait)));
    auto found = MUST(table.get_object<KernelObject>(value, rights::wait));
    KEXPECT(table.get_object<KernelObject>(value, rights::signal).failed_with(base::Error::AccessDenied));
    u32 references = event->ref_count();
    MUST(table.close(value));
    KEXPECT(found.get() == event.get());
    KEXPECT_EQ(event->ref_count(), references - 1);  // the handle's reference went, the lookup's stays
    KEXPECT(table.get_object<KernelObject>(value, rights::wait).failed_with(base::Error::BadHandle));
}

// with_object runs its step only once the type and the rights are right, under the table's lock.
KERNEL_TEST(handle_table, with_object_checks_before_it_runs) {
    HandleTable table;
    auto event = MUST(Event::create());
    HandleValue value = MUST(table.add(Handle(event, rights::signal)));
    bool ran = false;
    auto mark = [&](Event&) { ran = true; };
    KEXPECT(
        table.with_object<Event>(value, rights::signal | rights::wait, mark).failed_with(base::Error::AccessDenied));
    KEXPECT(table.with_object<Task>(value, rights::signal, [](Task&) {}).failed_with(base::Error::WrongType));
    KEXPECT(table.with_object<Event>(value + 1, rights::signal, mark).failed_with(base::Error::BadHandle));
    KEXPECT(!ran);
    MUST(table.with_object<Event>(value, rights::signal, [&](Event& found) {
        found.signal();
        ran = true;
    }));
    KEXPECT(ran && (event->signals() & poplar::abi::signals::signaled));
}
