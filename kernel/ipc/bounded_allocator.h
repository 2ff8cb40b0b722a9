#pragma once

// The allocator the kernel decodes Ptah messages with: the kernel heap, up to a budget per
// message, so that a hostile message cannot make the kernel allocate without limit (Ptah's own
// limit is per message too, but the kernel's is smaller and counted here, where it is spent).

#include <ptah/allocator.h>

namespace ipc {

class BoundedAllocator final : public ptah::Allocator {
public:
    static constexpr usize default_budget = 16 * 1024;

    explicit BoundedAllocator(usize budget = default_budget) : budget_(budget) {}
    ~BoundedAllocator();

    void* allocate(usize size, usize alignment) override;
    void deallocate(void* pointer, usize size, usize alignment) override;

    usize in_use() const { return in_use_; }

private:
    usize budget_;
    usize in_use_ = 0;
};

}  // namespace ipc
