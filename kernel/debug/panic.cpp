#include <arch/arch.h>
#include <base/assert.h>
#include <debug/log.h>
#include <debug/panic.h>
#include <main.h>

namespace debug {
namespace {

class RawSink final : public base::FormatSink {
public:
    void write(base::StringView text) override { log::write_raw(text); }
};

bool panicking = false;

}  // namespace

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
