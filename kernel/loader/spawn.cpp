#include <base/narrow.h>
#include <boot/boot_info.h>
#include <loader/elf.h>
#include <loader/spawn.h>
#include <sched/scheduler.h>

using namespace poplar::abi;

namespace loader {
namespace {

constexpr u64 stack_size = 64 * 1024;
// The stack ends well below the end of user space; the page under it stays unmapped as a guard.
constexpr u64 stack_top = 0x00007fff00000000ull;
constexpr u64 stack_base = stack_top - stack_size;

void copy_string(char* destination, usize capacity, base::StringView text) {
    usize length = base::min(text.length(), capacity - 1);
    __builtin_memcpy(destination, text.data(), length);
    destination[length] = '\0';
}

}  // namespace

base::ErrorOr<PreparedTask> prepare(base::StringView module_name, usize handle_count) {
    if (handle_count > StartInfo::max_handles) return base::Error::InvalidArgument;
    const boot::Module* module = boot::find_module(module_name);
    if (!module) return base::Error::NotFound;

    PreparedTask prepared;
    prepared.task = TRY(Task::create(module_name));
    Task& task = *prepared.task;
    u64 entry = TRY(load_elf(task.address_space(), boot::module_contents(*module)));
    prepared.stack = TRY(MemoryObject::create(stack_size, memory_flags::writable));
    TRY(task.address_space().map(prepared.stack, stack_base, memory_flags::writable));
    TRY(task.handles().reserve(handle_count));
    u64 info_address = base::align_down(stack_top - sizeof(StartInfo), 16);
    prepared.start_info_offset = info_address - stack_base;
    // The first thread starts as if called: its stack pointer is 8 below a 16-byte boundary.
    prepared.thread = TRY(Thread::create_user(task, entry, info_address - 8, info_address));
    return prepared;
}

base::RefPtr<Task> start(PreparedTask&& prepared, base::Span<Handle> initial_handles, base::StringView arguments,
                         u32 restarts) {
    Task& task = *prepared.task;
    StartInfo info{};
    copy_string(info.name, sizeof(info.name), task.name());
    copy_string(info.arguments, sizeof(info.arguments), arguments);
    info.restarts = restarts;
    task.set_origin(base::StringView(info.arguments), restarts);
    info.handle_count = base::narrow<u32>(initial_handles.size());
    for (usize i = 0; i < initial_handles.size(); ++i)
        info.handles[i] = MUST(task.handles().add(base::move(initial_handles[i])));
    MUST(prepared.stack->write(prepared.start_info_offset, reinterpret_cast<const u8*>(&info), sizeof(info)));

    Thread* thread = prepared.thread.leak();  // the running thread's own reference
    task.add_thread(*thread);
    sched::make_runnable(*thread);
    return base::move(prepared.task);
}

}  // namespace loader
