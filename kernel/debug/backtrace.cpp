// Backtraces by frame pointers (the kernel keeps them: -fno-omit-frame-pointer). The walk follows
// a frame only while it lies inside one known kernel stack, aligned, each frame above the last,
// and only so deep: a corrupt chain ends the walk instead of faulting inside a report.

#include <debug/log.h>
#include <debug/panic.h>
#include <debug/symbols.h>
#include <sched/scheduler.h>

namespace debug {
namespace {

constexpr usize max_frames = 32;
constexpr u64 frame_size = 16;  // the saved frame pointer and the return address

class RawSink final : public base::FormatSink {
public:
    void write(base::StringView text) override { log::write_raw(text); }
};

bool is_kernel_text_address(u64 address) { return address >= 0xffffffff80000000ull; }

// The stack holding the frame at `frame_pointer`: the current thread's kernel stack (on the
// heap), or the boot stack or an interrupt stack.
bool find_stack(u64 frame_pointer, arch::StackBounds& stack) {
    if (Thread* thread = sched::current_thread_if_started()) {
        stack = thread->kernel_stack();
        if (stack.contains(frame_pointer, frame_size)) return true;
    }
    return arch::find_fixed_stack(frame_pointer, stack);
}

}  // namespace

usize collect_backtrace(u64 frame_pointer, u64* return_addresses, usize capacity) {
    arch::StackBounds stack;
    if (!find_stack(frame_pointer, stack)) return 0;
    usize count = 0;
    while (count < capacity) {
        if (frame_pointer % 8 || !stack.contains(frame_pointer, frame_size)) break;
        auto* frame = reinterpret_cast<const u64*>(frame_pointer);
        if (!is_kernel_text_address(frame[1])) break;
        return_addresses[count++] = frame[1];
        if (frame[0] <= frame_pointer) break;  // callers' frames lie higher up the same stack
        frame_pointer = frame[0];
    }
    return count;
}

void print_backtrace(u64 frame_pointer) {
    RawSink sink;
    base::format(sink, "backtrace:\n");
    u64 return_addresses[max_frames];
    usize count = collect_backtrace(frame_pointer, return_addresses, max_frames);
    for (usize i = 0; i < count; ++i) print_address(sink, return_addresses[i] - 1);
}

}  // namespace debug
