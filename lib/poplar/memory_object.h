#pragma once

// Memory objects and their mappings into the task's address space.

#include <poplar/handle.h>

namespace poplar {

// A mapped range, unmapped when it goes away.
class Mapping {
public:
    Mapping() = default;
    Mapping(u64 address, u64 length) : address_(address), length_(length) {}
    Mapping(Mapping&& other)
        : address_(base::exchange(other.address_, u64(0))), length_(base::exchange(other.length_, u64(0))) {}
    Mapping& operator=(Mapping&& other);
    Mapping(const Mapping&) = delete;
    Mapping& operator=(const Mapping&) = delete;
    ~Mapping() { reset(); }

    u64 address() const { return address_; }
    u64 length() const { return length_; }
    u8* data() const { return reinterpret_cast<u8*>(address_); }
    bool is_mapped() const { return address_ != 0; }

    base::ErrorOr<void> unmap();
    // Keeps the range mapped for good; returns its address.
    u64 leak() {
        length_ = 0;
        return base::exchange(address_, u64(0));
    }

private:
    void reset() { (void)unmap(); }

    u64 address_ = 0;
    u64 length_ = 0;
};

class MemoryObject : public Handle {
public:
    MemoryObject() = default;
    MemoryObject(HandleValue value, u64 size) : Handle(value), size_(size) {}

    // `size` is rounded up to whole pages; `flags` are abi::memory_flags.
    static base::ErrorOr<MemoryObject> create(u64 size, u32 flags = abi::memory_flags::writable);

    // Maps the whole object; `address` 0 lets the kernel choose.
    base::ErrorOr<Mapping> map(u32 flags = abi::memory_flags::writable, u64 address = 0) const;

    u64 size() const { return size_; }

private:
    u64 size_ = 0;
};

}  // namespace poplar
