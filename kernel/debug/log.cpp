#include <arch/arch.h>
#include <debug/log.h>
#include <sync/spinlock.h>
#include <time/clock.h>

namespace log {
namespace {

class ConsoleSink final : public base::FormatSink {
public:
    void write(base::StringView text) override { arch::debug_write(text.data(), text.length()); }
};

// Keeps lines whole on the serial port. A leaf, taken under any other lock (anything may log).
IrqSpinLock console_lock;
Level minimum_level = Level::Info;

base::StringView level_tag(Level level) {
    switch (level) {
        case Level::Debug:
            return "debug";
        case Level::Info:
            return "info ";
        case Level::Warning:
            return "warn ";
        case Level::Error:
            return "error";
    }
    return "?    ";
}

}  // namespace

void set_minimum_level(Level level) { minimum_level = level; }

void write_line(Level level, base::StringView format, const base::FormatArgument* arguments, usize count) {
    if (level < minimum_level) return;
    u64 now = time::monotonic_nanoseconds();
    IrqSpinLockGuard guard(console_lock);
    ConsoleSink sink;
    base::format(sink, "[{:5}.{:06}] {} ", now / 1000000000, (now / 1000) % 1000000, level_tag(level));
    base::format_arguments(sink, format, arguments, count);
    sink.write("\n");
}

void write_raw(base::StringView text) { arch::debug_write(text.data(), text.length()); }

}  // namespace log
