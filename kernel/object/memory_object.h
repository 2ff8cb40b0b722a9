#pragma once

// A run of physical pages that can be mapped into address spaces. Its frames are allocated and
// zeroed when it is created and freed when the last reference goes.

#include <base/result.h>
#include <object/kernel_object.h>
#include <object/resource_account.h>

class MemoryObject final : public KernelObject {
public:
    static constexpr ObjectType object_type = ObjectType::MemoryObject;
    static constexpr u64 max_size = 1ull << 30;

    // `account`, if given, is charged for the object while it lives (LimitReached past its limits).
    static base::ErrorOr<base::RefPtr<MemoryObject>> create(u64 size, u64 flags, ResourceAccount* account = nullptr);
    ~MemoryObject() override;
    ObjectType type() const override { return object_type; }

    u64 size() const { return page_count_ * 4096; }
    u64 page_count() const { return page_count_; }
    u32 flags() const { return flags_; }
    u64 physical_page(u64 index) const { return frames_[index]; }

    // Copies bytes in at `offset` (the kernel's own writes, e.g. the ELF loader).
    base::ErrorOr<void> write(u64 offset, const u8* data, u64 length);

private:
    MemoryObject(u64* frames, u64 page_count, u32 flags);
    static base::ErrorOr<base::RefPtr<MemoryObject>> allocate(u64 page_count, u32 flags);

    u64* frames_;
    u64 page_count_;
    u32 flags_;
    base::RefPtr<ResourceAccount> account_;
};
