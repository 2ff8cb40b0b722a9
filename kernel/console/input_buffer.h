#pragma once

// The bytes typed on the console that no reader has taken yet: a ring of Capacity bytes filled
// by the receive interrupt and emptied by kernel.console's Read. When it is full the newest byte
// is dropped and counted (the bytes already there are older keystrokes a reader still wants); a
// reader learns how many went with the next bytes it takes. Portable and lock-free by itself (its
// owner locks it): tests/host/console_input_buffer_test.cpp.

#include <base/span.h>
#include <base/types.h>

namespace console {

template <usize Capacity>
class InputBuffer {
    static_assert(Capacity > 0);

public:
    static constexpr usize capacity = Capacity;

    // False, with the byte dropped and counted, when full.
    bool push(u8 byte) {
        if (count_ == Capacity) {
            if (dropped_ != ~u64(0)) ++dropped_;  // saturates: never wraps back to "none lost"
            return false;
        }
        bytes_[(first_ + count_) % Capacity] = byte;
        ++count_;
        return true;
    }

    // Moves the oldest bytes, as many as fit, into `out`; returns how many.
    usize take(base::Bytes out) {
        usize taken = 0;
        while (taken < out.size() && count_ > 0) {
            out[taken++] = bytes_[first_];
            first_ = (first_ + 1) % Capacity;
            --count_;
        }
        return taken;
    }

    // The bytes dropped since the last call, and starts counting again.
    u64 take_dropped() {
        u64 dropped = dropped_;
        dropped_ = 0;
        return dropped;
    }

    usize size() const { return count_; }
    bool is_empty() const { return count_ == 0; }

private:
    u8 bytes_[Capacity] = {};
    usize first_ = 0;
    usize count_ = 0;
    u64 dropped_ = 0;
};

}  // namespace console
