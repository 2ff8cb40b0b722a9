#pragma once

#include <base/format.h>

namespace debug {

[[noreturn]] void panic_with(base::StringView format, const base::FormatArgument* arguments, usize count);

// Prints the frames of the call stack starting from a frame pointer, with symbol names.
void print_backtrace(u64 frame_pointer);

// The return addresses of up to `capacity` frames from `frame_pointer` (debug/backtrace.cpp says
// which frames are followed); returns how many.
usize collect_backtrace(u64 frame_pointer, u64* return_addresses, usize capacity);

}  // namespace debug

// Reports a broken kernel invariant with a backtrace and ends the run with a failing status.
template <typename... Args>
[[noreturn]] void panic(base::StringView format, const Args&... args) {
    if constexpr (sizeof...(Args) == 0) {
        debug::panic_with(format, nullptr, 0);
    } else {
        base::FormatArgument arguments[] = {base::FormatArgument::from(args)...};
        debug::panic_with(format, arguments, sizeof...(Args));
    }
}
