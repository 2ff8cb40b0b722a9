#include <mm/frame_allocator.h>

namespace mm {

void FrameAllocator::initialize(u64* bitmap, u64 end_address) {
    bitmap_ = bitmap;
    frame_count_ = end_address / page_size;
    for (u64 i = 0; i < bitmap_words_for(end_address); ++i) bitmap_[i] = ~0ull;
    free_frames_ = total_frames_ = 0;
    next_search_word_ = 0;
}

void FrameAllocator::add_usable(u64 base, u64 length) {
    u64 first = base::align_up_unchecked(base, page_size) / page_size;
    u64 end = base::min((base + length) / page_size, frame_count_);
    for (u64 frame = first; frame < end; ++frame) {
        if (!is_used(frame)) continue;
        set_free(frame);
        ++free_frames_;
        ++total_frames_;
    }
}

void FrameAllocator::reserve(u64 base, u64 length) {
    u64 first = base / page_size;
    u64 end = base::min(base::align_up_unchecked(base + length, page_size) / page_size, frame_count_);
    for (u64 frame = first; frame < end; ++frame) {
        if (is_used(frame)) continue;
        set_used(frame);
        --free_frames_;
    }
}

base::ErrorOr<u64> FrameAllocator::allocate() {
    u64 words = (frame_count_ + 63) / 64;
    for (u64 scanned = 0; scanned < words; ++scanned) {
        u64 word = (next_search_word_ + scanned) % words;
        if (bitmap_[word] == ~0ull) continue;
        u64 bit = __builtin_ctzll(~bitmap_[word]);
        u64 frame = word * 64 + bit;
        if (frame >= frame_count_) continue;
        set_used(frame);
        --free_frames_;
        next_search_word_ = word;
        return frame * page_size;
    }
    return base::Error::NoMemory;
}

base::ErrorOr<u64> FrameAllocator::allocate_contiguous(u64 count) {
    if (count == 0) return base::Error::InvalidArgument;
    u64 run = 0;
    for (u64 frame = 0; frame < frame_count_; ++frame) {
        run = is_used(frame) ? 0 : run + 1;
        if (run < count) continue;
        u64 first = frame + 1 - count;
        for (u64 f = first; f <= frame; ++f) set_used(f);
        free_frames_ -= count;
        return first * page_size;
    }
    return base::Error::NoMemory;
}

void FrameAllocator::free(u64 address) {
    u64 frame = address / page_size;
    ASSERT(address % page_size == 0 && frame < frame_count_ && is_used(frame));
    set_free(frame);
    ++free_frames_;
}

}  // namespace mm
