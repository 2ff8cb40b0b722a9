// ring_create, ring_enter: asynchronous system calls (docs/async-syscalls.md).

#include <base/narrow.h>
#include <object/ring.h>
#include <syscall/syscall.h>

namespace {

// The ring stays with the task that made it: its operations act in that task's handle table
// and address space, so it neither moves nor is shared.
constexpr u32 ring_rights = rights::read | rights::write;
// The memory is the task's own to map; passing it on would only let another corrupt the ring.
constexpr u32 ring_memory_rights = rights::read | rights::write | rights::map;

}  // namespace

SyscallResult sys_ring_create(SyscallArguments& arguments) {
    u64 entries = arguments.argument[0];
    if (!ring_entries_valid(entries)) return base::Error::InvalidArgument;
    auto out = arguments.out<RingHandles>(1);
    TRY(out.write(RingHandles{}));  // a bad pointer fails before anything is made
    HandleTable& handles = arguments.task.handles();
    TRY(handles.reserve(2));
    auto ring = TRY(Ring::create(base::narrow<u32>(entries), arguments.task.account()));
    auto memory = ring->memory();
    RingHandles values{MUST(handles.add(Handle(base::move(ring), ring_rights))),
                       MUST(handles.add(Handle(base::move(memory), ring_memory_rights)))};
    MUST(out.write(values));
    return 0;
}

// rdx: the submissions taken, on success and when waiting fails after them.
SyscallResult sys_ring_enter(SyscallArguments& arguments) {
    auto ring = TRY(arguments.task.handles().get_object<Ring>(arguments.argument[0], rights::write));
    u64 to_submit = arguments.argument[1], min_complete = arguments.argument[2], deadline = arguments.argument[3];
    if (to_submit > ring->entries() || min_complete > u64(ring->entries()) * ring_completion_factor)
        return base::Error::InvalidArgument;
    u32 taken = TRY(ring->submit(arguments.task, base::narrow<u32>(to_submit)));
    if (min_complete) {
        auto waited = ring->wait(base::narrow<u32>(min_complete), deadline);
        if (waited.is_error()) {
            arguments.error_detail = taken;
            return waited.error();
        }
    }
    return taken;
}
