#pragma once

// kernel.log from user space (docs/services.md): a task subscribes to `kernel.log` and gets a
// channel end served by a kernel coroutine on its own work queue (the kernel's work for it is
// charged to it). Each Record becomes one line of the kernel log with the task as its source:
//
//   task <name>: <text> (id <id>)
//
// and is answered Recorded. A record the kernel will not write is answered Refused with the reason
// (nothing is written): a level out of range, text longer than max_text_bytes, or text with a byte
// outside printable ASCII (a record is one line; it cannot forge others). A message that does not
// decode as a Request ends the session (the client sees peer_closed). The session also ends when
// the client closes its end or the client task ends.
//
// Recent{after_sequence} reads the kernel log back: the lines it printed after that sequence
// (each line numbered from 1 at boot), oldest first, at most max_recent_lines, as Lines with the
// first line's sequence and the newest sequence there is. The kernel keeps the last
// kept_recent_lines (each cut at max_recent_line_bytes); a reader that fell behind gets the oldest
// kept and sees the gap in first_sequence. A sequence at or past the newest answers no lines, and
// `latest` (so Recent{~0} asks where the log is). Variant indices are wire format: append new
// alternatives, never reorder.

#include <base/string_view.h>
#include <ptah/fields.h>
#include <ptah/protocol.h>
#include <ptah/variant.h>
#include <ptah/vector.h>

namespace poplar::protocols {

namespace kernel_log {

// As the kernel's log levels, least severe first.
enum class Level : u8 { debug = 0, info = 1, warning = 2, error = 3 };
inline constexpr u8 max_level = static_cast<u8>(Level::error);
inline constexpr usize max_text_bytes = 200;
inline constexpr usize max_recent_lines = 16;
inline constexpr usize kept_recent_lines = 64;
inline constexpr usize max_recent_line_bytes = 200;

enum class Reason : u8 { invalid_level = 1, text_too_long = 2, unprintable_text = 3 };

struct Record {
    u8 level = static_cast<u8>(Level::info);  // a Level; a u8 on the wire so that any value decodes
    base::StringView text;
    PTAH_FIELDS(level, text)
    bool operator==(const Record&) const = default;
};

struct Recent {
    u64 after_sequence = 0;
    PTAH_FIELDS(after_sequence)
    bool operator==(const Recent&) const = default;
};

struct Recorded {
    bool operator==(const Recorded&) const = default;
};
struct Refused {
    u8 reason = 0;  // a Reason
    PTAH_FIELDS(reason)
    bool operator==(const Refused&) const = default;
};

struct Lines {
    u64 first_sequence = 0;  // of lines[0]; the others follow it one by one
    u64 latest = 0;          // the newest line's sequence when these were read
    ptah::Vector<base::StringView> lines;
    PTAH_FIELDS(first_sequence, latest, lines)
};

}  // namespace kernel_log

struct KernelLog {
    static constexpr base::StringView name = "kernel.log";
    using Request = ptah::Variant<kernel_log::Record, kernel_log::Recent>;
    using Response = ptah::Variant<kernel_log::Recorded, kernel_log::Refused, kernel_log::Lines>;
};

}  // namespace poplar::protocols
