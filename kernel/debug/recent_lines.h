#pragma once

// The last Count lines of the kernel log, as kernel.log's Recent reads them: a ring of lines of
// at most LineBytes bytes (a longer one is cut), each with a sequence number (1 for the first
// line since boot, never reused). Portable and lock-free by itself (its owner locks it):
// tests/host/recent_lines_test.cpp.

#include <base/span.h>
#include <base/string_view.h>
#include <base/utility.h>

namespace debug {

template <usize Count, usize LineBytes>
class RecentLines {
    static_assert(Count > 0 && LineBytes > 0);

public:
    static constexpr usize capacity = Count;
    static constexpr usize line_bytes = LineBytes;

    struct Line {
        u64 sequence = 0;
        usize length = 0;
        char text[LineBytes] = {};

        base::StringView view() const { return base::StringView(text, length); }
    };

    void append(base::StringView text) {
        Line& line = lines_[latest_ % Count];
        line.sequence = ++latest_;
        line.length = base::min(text.length(), LineBytes);
        __builtin_memcpy(line.text, text.data(), line.length);
    }

    // The newest sequence (0 before any line), and the oldest still kept.
    u64 latest() const { return latest_; }
    u64 oldest() const { return latest_ < Count ? 1 : latest_ - Count + 1; }

    // Copies the kept lines after `after` into `out`, oldest first, as many as fit; returns how
    // many. A reader that fell behind gets the oldest kept (the lines between are gone: it sees
    // the gap in the sequence numbers).
    usize read(u64 after, base::Span<Line> out) const {
        if (after >= latest_) return 0;
        u64 next = base::max(after + 1, oldest());
        usize count = 0;
        while (count < out.size() && next <= latest_) out[count++] = lines_[(next++ - 1) % Count];
        return count;
    }

private:
    Line lines_[Count];
    u64 latest_ = 0;
};

}  // namespace debug
