#include <arch/arch.h>
#include <debug/log.h>
#include <sync/spinlock.h>
#include <time/clock.h>

namespace log {
namespace {

// The line being printed, kept for the recent lines (cut at their length).
class RecordingSink final : public base::FormatSink {
public:
    void write(base::StringView text) override {
        arch::debug_write(text.data(), text.length());
        usize room = sizeof(line_) - length_;
        usize kept = text.length() < room ? text.length() : room;
        __builtin_memcpy(line_ + length_, text.data(), kept);
        length_ += kept;
    }
    base::StringView line() const { return base::StringView(line_, length_); }

private:
    char line_[RecentLines::line_bytes];
    usize length_ = 0;
};

// Keeps lines whole on the serial port, and guards the recent lines. A leaf, taken under any other
// lock (anything may log).
IrqSpinLock console_lock;
RecentLines recent GUARDED_BY(console_lock);
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
    RecordingSink sink;
    base::format(sink, "[{:5}.{:06}] {} ", now / 1000000000, (now / 1000) % 1000000, level_tag(level));
    base::format_arguments(sink, format, arguments, count);
    recent.append(sink.line());
    arch::debug_write("\n", 1);
}

void write_raw(base::StringView text) { arch::debug_write(text.data(), text.length()); }

void write_console(base::StringView text) {
    // In pieces, each under the lock: at 115200 baud a piece holds interrupts off for about 11 ms,
    // and a log line may come between two.
    constexpr usize piece = 128;
    while (!text.is_empty()) {
        usize length = text.length() < piece ? text.length() : piece;
        {
            IrqSpinLockGuard guard(console_lock);
            arch::debug_write(text.data(), length);
        }
        text = text.substring(length);
    }
}

usize read_recent(u64 after, base::Span<RecentLines::Line> out, u64& latest) {
    IrqSpinLockGuard guard(console_lock);
    latest = recent.latest();
    return recent.read(after, out);
}

}  // namespace log
