#pragma once

// Formatted output to the kernel log: poplar::print("x = {}\n", x). Text is formatted into a
// stack buffer and handed to debug_log in one call when it fits, so lines from different tasks
// do not interleave.

#include <base/format.h>

namespace poplar {

namespace detail {

class LogSink final : public base::FormatSink {
public:
    LogSink() = default;
    LogSink(const LogSink&) = delete;
    LogSink& operator=(const LogSink&) = delete;
    ~LogSink() { flush(); }

    void write(base::StringView text) override;
    void flush();

private:
    static constexpr usize capacity = 1024;
    char buffer_[capacity];
    usize length_ = 0;
};

}  // namespace detail

// Writes `text` as it is.
void write_log(base::StringView text);

template <typename... Args>
void print(base::StringView format_string, const Args&... args) {
    detail::LogSink sink;
    base::format(sink, format_string, args...);
}

// print, then a newline.
template <typename... Args>
void println(base::StringView format_string, const Args&... args) {
    detail::LogSink sink;
    base::format(sink, format_string, args...);
    sink.write("\n");
}

}  // namespace poplar
