#pragma once

// A user address space: page tables whose kernel half is shared, and the mappings of memory
// objects in the user half.

#include <base/intrusive_list.h>
#include <object/memory_object.h>

class AddressSpace final : public KernelObject {
public:
    static constexpr ObjectType object_type = ObjectType::AddressSpace;
    // What one address space may map (LimitReached beyond): this bounds the kernel memory its
    // page tables and mapping records take, whatever objects it maps and however often.
    static constexpr usize max_mappings = 1024;
    static constexpr u64 max_mapped_bytes = 1ull << 30;

    static base::ErrorOr<base::RefPtr<AddressSpace>> create();
    ~AddressSpace() override;
    ObjectType type() const override { return object_type; }

    // Maps the whole object at `address` (0: anywhere free), writable/executable per `flags`.
    base::ErrorOr<u64> map(base::RefPtr<MemoryObject> object, u64 address, u32 flags);
    // Removes exactly one whole mapping.
    base::ErrorOr<void> unmap(u64 address, u64 length);

    u64 page_table_root() const { return root_; }

private:
    struct Mapping {
        u64 base;
        u64 length;
        base::RefPtr<MemoryObject> object;
        base::ListNode node;
    };
    using MappingList = base::IntrusiveList<Mapping, &Mapping::node>;

    explicit AddressSpace(u64 root);
    bool is_free(u64 base, u64 length);
    u64 find_free(u64 length);
    void unmap_pages(u64 base, u64 pages);
    void remove_mapping(Mapping& mapping);

    u64 root_;
    MappingList mappings_;  // sorted by base
    usize mapping_count_ = 0;
    u64 mapped_bytes_ = 0;
};
