#pragma once

// Memory for decoded replies that own some (a page of tasks, a list of names): hands out memory
// from a fixed buffer and takes it back only all at once (reset), before the next reply is
// decoded. Nothing is freed one by one, and a reply that does not fit fails to decode (NoMemory).

#include <base/types.h>
#include <ptah/allocator.h>

namespace poplar {

template <usize Bytes>
class Arena final : public ptah::Allocator {
public:
    void* allocate(usize size, usize alignment) override {
        usize start = (used_ + alignment - 1) / alignment * alignment;
        if (start > sizeof(buffer_) || size > sizeof(buffer_) - start) return nullptr;
        used_ = start + size;
        return buffer_ + start;
    }
    void deallocate(void*, usize, usize) override {}
    void reset() { used_ = 0; }

private:
    alignas(16) u8 buffer_[Bytes];
    usize used_ = 0;
};

}  // namespace poplar
