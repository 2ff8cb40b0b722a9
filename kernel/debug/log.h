#pragma once

// The kernel log: one line per call, with a level, a timestamp and the subsystem's words.
//
//   log::info("heap: {} KiB in use", used / 1024);

#include <base/format.h>
#include <debug/recent_lines.h>

namespace log {

enum class Level { Debug, Info, Warning, Error };

void write_line(Level level, base::StringView format, const base::FormatArgument* arguments, usize count);

// Raw output without a prefix or newline (used by the panic and exception reports).
void write_raw(base::StringView text);

template <typename... Args>
void write(Level level, base::StringView format, const Args&... args) {
    if constexpr (sizeof...(Args) == 0) {
        write_line(level, format, nullptr, 0);
    } else {
        base::FormatArgument arguments[] = {base::FormatArgument::from(args)...};
        write_line(level, format, arguments, sizeof...(Args));
    }
}

template <typename... Args>
void debug(base::StringView format, const Args&... args) {
    write(Level::Debug, format, args...);
}
template <typename... Args>
void info(base::StringView format, const Args&... args) {
    write(Level::Info, format, args...);
}
template <typename... Args>
void warning(base::StringView format, const Args&... args) {
    write(Level::Warning, format, args...);
}
template <typename... Args>
void error(base::StringView format, const Args&... args) {
    write(Level::Error, format, args...);
}

// Text on the console as it is (kernel.console's Write), in pieces that a log line may come between.
void write_console(base::StringView text);

// The last lines the log printed (with their timestamps and levels), for kernel.log's Recent.
using RecentLines = debug::RecentLines<64, 200>;
// Copies the lines after `after` into `out` (oldest first; returns how many), and the newest
// line's sequence into `latest`.
usize read_recent(u64 after, base::Span<RecentLines::Line> out, u64& latest);

// Sets the lowest level that is printed (from the kernel command line: log=debug).
void set_minimum_level(Level level);

}  // namespace log
