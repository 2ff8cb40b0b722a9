#pragma once

// kernel.time from user space (docs/services.md): the kernel's monotonic clock and its timers. A
// task subscribes to `kernel.time` and gets a channel end served by a kernel coroutine on its own
// work queue (the kernel's work for it is charged to it).
//
// Now is answered Time (nanoseconds since boot, the clock clock_read reads), GetResolution is
// answered Resolution (the clock's step in nanoseconds), SleepUntil is answered Woke once the
// clock has passed the deadline (at once for a deadline already passed). The session's coroutine
// sleeps on the kernel's timers, not on the client's thread: the client may do other things
// meanwhile (the session answers its next request after the Woke). A deadline more than
// max_sleep_nanoseconds away is Refused (deadline_too_far) rather than armed. A session closed
// while it sleeps ends at once. A message that does not decode ends the session (the client sees
// peer_closed). Variant indices are wire format: append new alternatives, never reorder.

#include <ptah/fields.h>
#include <ptah/protocol.h>
#include <ptah/variant.h>

namespace poplar::protocols {

namespace kernel_time {

// One day: a longer wait is a mistake (or an attack on the timer list), not a plan.
inline constexpr u64 max_sleep_nanoseconds = 86'400'000'000'000ull;

enum class Reason : u8 { deadline_too_far = 1 };

struct Now {
    bool operator==(const Now&) const = default;
};
struct SleepUntil {
    u64 deadline = 0;  // on the clock Now reads
    PTAH_FIELDS(deadline)
    bool operator==(const SleepUntil&) const = default;
};
struct GetResolution {
    bool operator==(const GetResolution&) const = default;
};

struct Time {
    u64 nanoseconds = 0;
    PTAH_FIELDS(nanoseconds)
    bool operator==(const Time&) const = default;
};
struct Woke {
    u64 now = 0;  // the clock when the session woke: at or past the deadline
    PTAH_FIELDS(now)
    bool operator==(const Woke&) const = default;
};
struct Resolution {
    u64 nanoseconds = 0;
    PTAH_FIELDS(nanoseconds)
    bool operator==(const Resolution&) const = default;
};
struct Refused {
    u8 reason = 0;  // a Reason
    PTAH_FIELDS(reason)
    bool operator==(const Refused&) const = default;
};

}  // namespace kernel_time

struct KernelTime {
    static constexpr base::StringView name = "kernel.time";
    using Request = ptah::Variant<kernel_time::Now, kernel_time::SleepUntil, kernel_time::GetResolution>;
    using Response = ptah::Variant<kernel_time::Time, kernel_time::Woke, kernel_time::Resolution, kernel_time::Refused>;
};

}  // namespace poplar::protocols
