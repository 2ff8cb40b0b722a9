#include <arch/paging.h>
#include <mm/heap.h>
#include <object/address_space.h>

using namespace poplar::abi;

namespace {

// Where the kernel places mappings when the caller lets it choose.
constexpr u64 automatic_mapping_base = 0x0000100000000000ull;

}  // namespace

AddressSpace::AddressSpace(u64 root) : KernelObject(object_type), root_(root) {}

AddressSpace::~AddressSpace() {
    while (Mapping* mapping = mappings_.front()) remove_mapping(*mapping);
    arch::destroy_user_page_tables(root_);
}

base::ErrorOr<base::RefPtr<AddressSpace>> AddressSpace::create() {
    u64 root = TRY(arch::create_user_page_tables());
    auto* space = new (std::nothrow) AddressSpace(root);
    if (!space) {
        arch::destroy_user_page_tables(root);
        return base::Error::NoMemory;
    }
    return base::adopt_ref(space);
}

bool AddressSpace::is_free(u64 base, u64 length) {
    for (Mapping& mapping : mappings_)
        if (base < mapping.base + mapping.length && mapping.base < base + length) return false;
    return true;
}

u64 AddressSpace::find_free(u64 length) {
    u64 candidate = automatic_mapping_base;
    for (Mapping& mapping : mappings_) {
        if (mapping.base + mapping.length <= candidate) continue;
        if (candidate + length <= mapping.base) break;
        candidate = mapping.base + mapping.length + page_size;  // leave a guard gap
    }
    return candidate + length <= user_space_end ? candidate : 0;
}

void AddressSpace::unmap_pages(u64 base, u64 pages) {
    for (u64 i = 0; i < pages; ++i) (void)arch::unmap_user_page(root_, base + i * page_size);
}

void AddressSpace::remove_mapping(Mapping& mapping) {
    unmap_pages(mapping.base, mapping.length / page_size);
    arch::release_unused_user_tables(root_, mapping.base, mapping.length);
    mappings_.remove(mapping);
    --mapping_count_;
    mapped_bytes_ -= mapping.length;
    mapping.~Mapping();
    mm::free(&mapping);
}

base::ErrorOr<u64> AddressSpace::map(base::RefPtr<MemoryObject> object, u64 address, u32 flags) {
    if (flags & ~u64(memory_flags::writable | memory_flags::executable)) return base::Error::InvalidArgument;
    if ((flags & object->flags()) != flags) return base::Error::AccessDenied;
    u64 length = object->size();
    if (mapping_count_ >= max_mappings || length > max_mapped_bytes - mapped_bytes_) return base::Error::LimitReached;
    if (address == 0) {
        address = find_free(length);
        if (!address) return base::Error::NoMemory;
    } else {
        if (address % page_size) return base::Error::InvalidArgument;
        u64 end;
        if (!base::checked_add(address, length, end) || address < user_space_start || end > user_space_end)
            return base::Error::InvalidArgument;
        if (!is_free(address, length)) return base::Error::AlreadyExists;
    }

    auto* storage = mm::allocate(sizeof(Mapping));
    if (!storage) return base::Error::NoMemory;
    u32 page_flags = (flags & memory_flags::writable ? arch::page_writable : 0) |
                     (flags & memory_flags::executable ? arch::page_executable : 0);
    for (u64 i = 0; i < object->page_count(); ++i) {
        auto mapped = arch::map_user_page(root_, address + i * page_size, object->physical_page(i), page_flags);
        if (mapped.is_error()) {
            unmap_pages(address, i);
            arch::release_unused_user_tables(root_, address, length);
            mm::free(storage);
            return mapped.error();
        }
    }
    auto* mapping = new (storage) Mapping{address, length, base::move(object), {}};
    ++mapping_count_;
    mapped_bytes_ += length;
    Mapping* position = mappings_.front();
    while (position && position->base < address) position = mappings_.next(*position);
    if (position)
        mappings_.insert_before(*position, *mapping);
    else
        mappings_.push_back(*mapping);
    return address;
}

base::ErrorOr<void> AddressSpace::unmap(u64 address, u64 length) {
    if (address % page_size || length % page_size || length == 0) return base::Error::InvalidArgument;
    for (Mapping& mapping : mappings_) {
        if (mapping.base != address) continue;
        if (mapping.length != length) return base::Error::InvalidArgument;
        remove_mapping(mapping);
        return {};
    }
    return base::Error::NotFound;
}
