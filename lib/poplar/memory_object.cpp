#include <poplar/memory_object.h>

namespace poplar {

Mapping& Mapping::operator=(Mapping&& other) {
    if (this != &other) {
        reset();
        address_ = base::exchange(other.address_, u64(0));
        length_ = base::exchange(other.length_, u64(0));
    }
    return *this;
}

base::ErrorOr<void> Mapping::unmap() {
    if (!address_) return {};
    u64 address = base::exchange(address_, u64(0));
    return sys::memory_unmap(address, base::exchange(length_, u64(0)));
}

base::ErrorOr<MemoryObject> MemoryObject::create(u64 size, u32 flags) {
    u64 rounded;
    if (!base::align_up(size, abi::page_size, rounded)) return base::Error::InvalidArgument;
    return MemoryObject(TRY(sys::memory_object_create(size, flags)), rounded);
}

base::ErrorOr<Mapping> MemoryObject::map(u32 flags, u64 address) const {
    u64 mapped = TRY(sys::memory_object_map(value(), address, flags));
    return Mapping(mapped, size_);
}

}  // namespace poplar
