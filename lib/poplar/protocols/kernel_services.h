#pragma once

// kernel.services: the service registry's listing and watch (docs/services.md, "Discovery"). A task
// subscribes to `kernel.services` and gets a channel end served by a kernel coroutine on its own
// work queue. One request at a time, each answered:
//
//   List{first}          -> Listing{sequence, total, first, names}: the live names (kernel ones
//                           included) as of change `sequence`, names[0] being the `first`-th of
//                           `total`. At most max_listing_names per reply: a client with more to
//                           read asks again with the next `first`, and starts over from 0 if a
//                           reply's sequence differs from the first page's (the names changed
//                           between pages). A `first` at or past `total` gives no names (only
//                           the sequence and the total).
//   Watch{after_sequence} -> Changes{changes}: waits until there is a change after `after_sequence`,
//                           then gives every change the registry's log holds after it (up to
//                           max_changes), oldest first, with contiguous sequence numbers; or
//                           Resync{sequence} at once if the log no longer holds all of them (or
//                           `after_sequence` is past the last change): the client lists again and
//                           watches from the listing's sequence.
//
// Listing then watching from the listing's sequence misses nothing: the listing and its sequence
// are taken together under the registry's lock. A message that does not decode as a Request ends
// the session (the client sees peer_closed). The session ends when the client closes its end or
// the client task ends, also while a Watch waits. Variant indices are wire format.

#include <base/string_view.h>
#include <ptah/fields.h>
#include <ptah/protocol.h>
#include <ptah/variant.h>
#include <ptah/vector.h>

namespace poplar::protocols {

namespace kernel_services {

inline constexpr u32 max_listing_names = 16;
inline constexpr u32 max_changes = 64;  // the registry's log holds this many

struct List {
    u32 first = 0;
    PTAH_FIELDS(first)
    bool operator==(const List&) const = default;
};
struct Watch {
    u64 after_sequence = 0;
    PTAH_FIELDS(after_sequence)
    bool operator==(const Watch&) const = default;
};

struct Listing {
    u64 sequence = 0;
    u32 total = 0;
    u32 first = 0;
    ptah::Vector<base::StringView> names;
    PTAH_FIELDS(sequence, total, first, names)
    bool operator==(const Listing&) const = default;
};
struct Change {
    u64 sequence = 0;
    base::StringView name;
    u8 appeared = 0;  // 1: the name appeared; 0: it disappeared
    PTAH_FIELDS(sequence, name, appeared)
    bool operator==(const Change&) const = default;
};
struct Changes {
    ptah::Vector<Change> changes;
    PTAH_FIELDS(changes)
    bool operator==(const Changes&) const = default;
};
struct Resync {
    u64 sequence = 0;  // the last change's
    PTAH_FIELDS(sequence)
    bool operator==(const Resync&) const = default;
};

}  // namespace kernel_services

struct KernelServices {
    static constexpr base::StringView name = "kernel.services";
    using Request = ptah::Variant<kernel_services::List, kernel_services::Watch>;
    using Response = ptah::Variant<kernel_services::Listing, kernel_services::Changes, kernel_services::Resync>;
};

}  // namespace poplar::protocols
