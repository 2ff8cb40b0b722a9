#pragma once

// The kernel's log of recent task exits, as kernel.tasks' WatchExits reads it: a ring of the last
// Capacity exits, each with a sequence number (1 for the first exit since boot, never reused) and
// the ids of the tasks above it in the spawn tree, so that a reader sees only the exits below it.
// Portable and lock-free by itself (its owner locks it): tests/host/exit_log_test.cpp.

#include <base/span.h>
#include <base/string_view.h>
#include <base/utility.h>

namespace services {

struct ExitRecord {
    static constexpr usize max_name_bytes = 64;
    // The spawner first, then its spawner...; a longer chain keeps its nearest max_ancestors - 1
    // and its root (the task at the top, init for user tasks), so the root still sees every exit.
    static constexpr usize max_ancestors = 8;

    u64 sequence = 0;
    u64 task_id = 0;
    i64 status = 0;
    char name[max_name_bytes] = {};
    u64 ancestors[max_ancestors] = {};
    usize ancestor_count = 0;

    base::StringView name_view() const {
        usize length = 0;
        while (length < max_name_bytes && name[length]) ++length;
        return base::StringView(name, length);
    }
    // Whether the task `watcher` sees this exit: it is one of the exited task's ancestors.
    bool is_below(u64 watcher) const {
        for (usize i = 0; i < ancestor_count; ++i)
            if (ancestors[i] == watcher) return true;
        return false;
    }
};

// The ancestors of a task spawned by `spawner`, from the spawner's own (nearest first), keeping
// the root once the chain is longer than fits. Returns how many were written.
inline usize ancestors_of_child(u64 spawner, base::Span<const u64> spawner_ancestors,
                                u64 (&out)[ExitRecord::max_ancestors]) {
    constexpr usize max = ExitRecord::max_ancestors;
    usize count = 0;
    out[count++] = spawner;
    usize inherited = spawner_ancestors.size();
    // A full chain drops its farthest but one, and keeps its root last.
    usize kept = inherited < max ? inherited : max - 2;
    for (usize i = 0; i < kept; ++i) out[count++] = spawner_ancestors[i];
    if (inherited >= max) out[count++] = spawner_ancestors[inherited - 1];
    return count;
}

template <usize Capacity>
class ExitLog {
    static_assert(Capacity > 0);

public:
    // The newest sequence (0 before any exit), and the oldest still kept (latest + 1 when empty).
    u64 latest() const { return latest_; }
    u64 oldest() const { return latest_ < Capacity ? 1 : latest_ - Capacity + 1; }

    // Enters `record` (its sequence is assigned here), dropping the oldest if full.
    u64 append(const ExitRecord& record) {
        ExitRecord& slot = records_[latest_ % Capacity];
        slot = record;
        slot.sequence = ++latest_;
        return slot.sequence;
    }

    struct Reading {
        usize count = 0;       // records written to the output
        u64 up_to = 0;         // every record up to this sequence was looked at
        bool lost = false;     // records after `after` were dropped before this read: resync
        bool invalid = false;  // `after` lies in the future
    };

    // The records after sequence `after` that `watcher` sees, oldest first, at most out.size().
    Reading read(u64 after, u64 watcher, base::Span<ExitRecord> out) const {
        Reading reading;
        if (after > latest_) {
            reading.invalid = true;
            return reading;
        }
        if (after + 1 < oldest()) {
            reading.lost = true;
            return reading;
        }
        reading.up_to = after;
        for (u64 sequence = after + 1; sequence <= latest_; ++sequence) {
            const ExitRecord& record = records_[(sequence - 1) % Capacity];
            if (record.is_below(watcher)) {
                if (reading.count == out.size()) break;
                out[reading.count++] = record;
            }
            reading.up_to = sequence;
        }
        return reading;
    }

private:
    ExitRecord records_[Capacity];
    u64 latest_ = 0;
};

}  // namespace services
