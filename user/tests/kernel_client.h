#pragma once

// A client of the kernel's services for the tests: a poplar channel as ptah::Client wants one,
// handles included (received handles get the type the kernel reports), receiving with a deadline
// so that a missing reply is TimedOut rather than a hang; and a small arena for decoded replies
// that own memory (pages of tasks, lists of exits).

#include <poplar/channel.h>
#include <poplar/protocols/object_type.h>
#include <ptah/allocator.h>
#include <ptah/ptah.h>

namespace usertest {

struct KernelClientChannel {
    const poplar::Channel& channel;
    u64 timeout = 2'000'000'000;

    base::ErrorOr<void> send(base::ReadonlyBytes bytes, base::Span<const ptah::TransferredHandle> handles) {
        poplar::abi::HandleValue values[ptah::kMaxHandles];
        for (usize i = 0; i < handles.size(); ++i) values[i] = handles[i].value;
        return poplar::sys::channel_send(channel.value(), bytes.data(), bytes.size(), values, handles.size());
    }
    base::ErrorOr<ptah::MessageSize> receive(base::Bytes bytes, base::Span<ptah::TransferredHandle> handles) {
        poplar::abi::HandleValue values[ptah::kMaxHandles];
        auto sizes = TRY(poplar::sys::channel_receive(channel.value(), bytes.data(), bytes.size(), values,
                                                      handles.size(), poplar::sys::deadline_after(timeout)));
        for (usize i = 0; i < sizes.handles; ++i) {
            auto info = poplar::sys::handle_info(values[i]);
            handles[i] = {values[i], info.is_ok() ? static_cast<ptah::ObjectTypeTag>(info.value().object_type) : 0};
        }
        return ptah::MessageSize{sizes.bytes, sizes.handles};
    }
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
