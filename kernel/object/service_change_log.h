#pragma once

// The service registry's recent changes (docs/services.md, "Discovery"): every name that appears
// or disappears gets the next sequence number, and the last `capacity` changes are kept in a ring.
// A watcher that knows the sequence it has seen up to asks for what came after; if the ring no
// longer holds all of it, the watcher must list again (it resynchronises).
//
// Portable (no kernel dependencies; host-tested in tests/host) and unlocked: the registry calls it
// under its own lock. It never allocates.

#include <base/span.h>
#include <base/string_view.h>
#include <poplar/abi/service_name.h>

class ServiceChangeLog {
public:
    static constexpr usize capacity = 64;

    struct Change {
        u64 sequence = 0;
        bool appeared = false;
        u8 length = 0;
        char name_bytes[poplar::abi::max_service_name_bytes] = {};
        base::StringView name() const { return base::StringView(name_bytes, length); }
    };

    // The last change's sequence number; 0 before the first (which is 1).
    u64 sequence() const { return sequence_; }

    // Records that `name` (at most max_service_name_bytes) appeared or disappeared, as the next
    // sequence number, dropping the oldest change once the ring is full.
    void record(base::StringView name, bool appeared);

    // Whether every change after `after` is still held (so that copy_after gives all of it): `after`
    // is no older than the change before the oldest held, and not past the last one.
    bool holds_changes_after(u64 after) const;

    // Copies the changes after `after` (for which holds_changes_after is true), oldest first, into
    // `out`; returns how many (at most out.size(): the oldest come first, the caller asks again).
    usize copy_after(u64 after, base::Span<Change> out) const;

private:
    Change ring_[capacity];
    u64 sequence_ = 0;
};
