#pragma once

// kernel.console from user space (docs/console.md): the serial terminal's screen and keyboard. A
// task subscribes to `kernel.console` and gets a channel end served by a kernel coroutine on its
// own work queue (the kernel's work for it is charged to it).
//
// - Write{bytes} puts the bytes on the terminal as they are (a newline becomes CR LF), at most
//   max_write_bytes, and is answered Written. The console is a terminal, not the log: what a task
//   writes is not checked and may look like anything, a log line included (kernel.log's Recent is
//   the record to trust).
// - Read{max_bytes} answers Data once at least one typed byte waits: the waiting bytes, at most
//   max_bytes (1 to max_read_bytes), and `dropped`, how many bytes were typed but lost since the
//   last Data because the kernel's buffer (input_buffer_bytes) was full. The session's coroutine
//   waits for the keyboard's interrupt, never polls; the client may wait in its call, or send the
//   Read and wait for the reply beside other things (wait_many). A session closed while it reads
//   ends at once.
// - One reader: the first session to Read owns the keyboard until it ends; a Read from any other
//   session is Refused{BadState} at once, and nothing is taken.
//
// Refusals are Refused{error}, a base::Error code: InvalidArgument (max_bytes 0 or above
// max_read_bytes, bytes above max_write_bytes), BadState (another session reads). A refusal
// changes nothing and the session goes on; a message that does not decode ends it (the client sees
// peer_closed). Variant indices are wire format: append new alternatives, never reorder.

#include <base/span.h>
#include <ptah/fields.h>
#include <ptah/protocol.h>
#include <ptah/variant.h>

namespace poplar::protocols {

namespace kernel_console {

inline constexpr usize max_write_bytes = 1024;
inline constexpr usize max_read_bytes = 128;
inline constexpr usize input_buffer_bytes = 1024;  // typed bytes the kernel keeps for the reader

// Requests.
struct Write {
    base::Span<const u8> bytes;
    PTAH_FIELDS(bytes)
};
struct Read {
    u32 max_bytes = max_read_bytes;
    PTAH_FIELDS(max_bytes)
    bool operator==(const Read&) const = default;
};

// Responses.
struct Written {
    bool operator==(const Written&) const = default;
};
struct Data {
    base::Span<const u8> bytes;
    u64 dropped = 0;  // typed since the last Data and lost to a full buffer
    PTAH_FIELDS(bytes, dropped)
};
struct Refused {
    u32 error = 0;  // a base::Error
    PTAH_FIELDS(error)
    bool operator==(const Refused&) const = default;
};

}  // namespace kernel_console

struct KernelConsole {
    static constexpr base::StringView name = "kernel.console";
    using Request = ptah::Variant<kernel_console::Write, kernel_console::Read>;
    using Response = ptah::Variant<kernel_console::Written, kernel_console::Data, kernel_console::Refused>;
};

}  // namespace poplar::protocols
