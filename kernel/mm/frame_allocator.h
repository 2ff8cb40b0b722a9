#pragma once

// A bitmap of 4 KiB physical frames: one bit per frame, set = in use. Portable (host-tested):
// the caller supplies the bitmap's storage and says which ranges are usable.

#include <base/result.h>

namespace mm {

constexpr u64 page_size = 4096;

class FrameAllocator {
public:
    // `bitmap` must hold one bit per frame below `end_address`; every frame starts as used.
    void initialize(u64* bitmap, u64 end_address);

    // Marks whole frames inside [base, base + length) free.
    void add_usable(u64 base, u64 length);
    // Marks every frame touching [base, base + length) used.
    void reserve(u64 base, u64 length);

    base::ErrorOr<u64> allocate();
    // `count` physically contiguous frames.
    base::ErrorOr<u64> allocate_contiguous(u64 count);
    void free(u64 address);

    u64 free_frames() const { return free_frames_; }
    u64 total_frames() const { return total_frames_; }
    static u64 bitmap_words_for(u64 end_address) { return (end_address / page_size + 63) / 64; }

private:
    bool is_used(u64 frame) const { return bitmap_[frame / 64] & (1ull << (frame % 64)); }
    void set_used(u64 frame) { bitmap_[frame / 64] |= 1ull << (frame % 64); }
    void set_free(u64 frame) { bitmap_[frame / 64] &= ~(1ull << (frame % 64)); }

    u64* bitmap_ = nullptr;
    u64 frame_count_ = 0;
    u64 free_frames_ = 0;
    u64 total_frames_ = 0;
    u64 next_search_word_ = 0;
};

}  // namespace mm
