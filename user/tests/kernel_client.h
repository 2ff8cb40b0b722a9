#pragma once

// A client of the kernel's services for the tests: poplar::PtahChannel with a two-second timeout
// (a missing reply is TimedOut rather than a hang); and a small arena for decoded replies
// that own memory (pages of tasks, lists of exits).

#include <poplar/channel.h>
#include <poplar/protocols/object_type.h>
#include <poplar/ptah_channel.h>
#include <ptah/allocator.h>
#include <ptah/ptah.h>

namespace usertest {

// poplar::PtahChannel with the tests' default timeout.
struct KernelClientChannel : poplar::PtahChannel {
    KernelClientChannel(const poplar::Channel& channel, u64 timeout = 2'000'000'000) : PtahChannel(channel, timeout) {}
};

// Hands out memory from a fixed buffer and takes it back only all at once (reset).
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
    alignas(16) u8 buffer_[16 * 1024];
    usize used_ = 0;
};

}  // namespace usertest
