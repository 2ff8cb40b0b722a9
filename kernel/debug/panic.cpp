#include <arch/arch.h>
#include <base/assert.h>
#include <debug/log.h>
#include <debug/panic.h>
#include <debug/symbols.h>
#include <main.h>

namespace debug {
namespace {

class RawSink final : public base::FormatSink {
public:
    void write(base::StringView text) override { log::write_raw(text); }
};

bool panicking = false;

bool is_kernel_address(u64 address) { return address >= 0xffffffff80000000ull; }

}  // namespace

void print_backtrace(u64 frame_pointer) {
    RawSink sink;
    base::format(sink, "backtrace:\n");
    for (int depth = 0; depth < 32 && frame_pointer; ++depth) {
        if (!is_kernel_address(frame_pointer) || (frame_pointer & 7)) break;
        auto* frame = reinterpret_cast<const u64*>(frame_pointer);
        u64 return_address = frame[1];
        if (!is_kernel_address(return_address)) break;
        print_address(sink, return_address - 1);
        frame_pointer = frame[0];
    }
}

void panic_with(base::StringView format, const base::FormatArgument* arguments, usize count) {
    arch::disable_interrupts();
    RawSink sink;
    if (panicking) {
        base::format(sink, "\nKERNEL PANIC (nested): ");
        base::format_arguments(sink, format, arguments, count);
        sink.write("\n");
        arch::shut_down(false);
    }
    panicking = true;
    base::format(sink, "\nKERNEL PANIC: ");
    base::format_arguments(sink, format, arguments, count);
    sink.write("\n");
    print_backtrace(reinterpret_cast<u64>(__builtin_frame_address(0)));
    arch::shut_down(false);
}

}  // namespace debug

void panic_pure_virtual_call() { panic("pure virtual function called"); }

void base_assertion_failed(const char* expression, const char* file, int line, const char* function) {
    panic("assertion failed: {} at {}:{} in {}", expression, file, line, function);
}
