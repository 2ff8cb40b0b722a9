#include <base/narrow.h>
#include <mm/heap.h>
#include <mm/physical_memory.h>
#include <object/memory_object.h>

MemoryObject::MemoryObject(u64* frames, u64 page_count, u32 flags)
    : KernelObject(object_type), frames_(frames), page_count_(page_count), flags_(flags) {}

MemoryObject::~MemoryObject() {
    for (u64 i = 0; i < page_count_; ++i) mm::free_frame(frames_[i]);
    mm::free(frames_);
    if (account_)
        account_->release(Resource::MemoryObjects, 1, Resource::MemoryBytes, page_count_ * poplar::abi::page_size);
}

base::ErrorOr<base::RefPtr<MemoryObject>> MemoryObject::create(u64 size, u64 flags, ResourceAccount* account) {
    using namespace poplar::abi;
    if (size == 0 || size > max_size) return base::Error::InvalidArgument;
    if (flags & ~u64(memory_flags::writable | memory_flags::executable)) return base::Error::InvalidArgument;
    u64 page_count = base::align_up_unchecked(size, page_size) / page_size;
    if (account) TRY(account->charge(Resource::MemoryObjects, 1, Resource::MemoryBytes, page_count * page_size));
    auto object = allocate(page_count, base::narrow<u32>(flags));
    if (object.is_error()) {
        if (account) account->release(Resource::MemoryObjects, 1, Resource::MemoryBytes, page_count * page_size);
        return object.error();
    }
    object.value()->account_ = account;
    return object;
}

base::ErrorOr<base::RefPtr<MemoryObject>> MemoryObject::allocate(u64 page_count, u32 flags) {
    auto* frames = static_cast<u64*>(mm::allocate(page_count * sizeof(u64)));
    if (!frames) return base::Error::NoMemory;
    for (u64 i = 0; i < page_count; ++i) {
        auto frame = mm::allocate_frame();
        if (frame.is_error()) {
            for (u64 j = 0; j < i; ++j) mm::free_frame(frames[j]);
            mm::free(frames);
            return base::Error::NoMemory;
        }
        frames[i] = frame.value();
    }
    auto* object = new (std::nothrow) MemoryObject(frames, page_count, flags);
    if (!object) {
        for (u64 i = 0; i < page_count; ++i) mm::free_frame(frames[i]);
        mm::free(frames);
        return base::Error::NoMemory;
    }
    return base::adopt_ref(object);
}

base::ErrorOr<void> MemoryObject::write(u64 offset, const u8* data, u64 length) {
    u64 end;
    if (!base::checked_add(offset, length, end) || end > size()) return base::Error::OutOfRange;
    while (length > 0) {
        u64 page = offset / 4096, within = offset % 4096;
        u64 chunk = base::min(length, 4096 - within);
        __builtin_memcpy(static_cast<u8*>(mm::physical_to_virtual(frames_[page])) + within, data, chunk);
        offset += chunk;
        data += chunk;
        length -= chunk;
    }
    return {};
}
