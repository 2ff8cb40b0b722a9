#pragma once

// An owning, growable array whose memory comes from a ptah::Allocator. Move-only: copying would need an
// allocation, which can fail, so it is explicit (`clone`).

#include <base/result.h>
#include <base/span.h>
#include <base/utility.h>
#include <ptah/allocator.h>
#include <ptah/error.h>
#include <new>

namespace ptah {

template <typename T>
class Vector {
public:
    Vector() = default;
    explicit Vector(Allocator& allocator) : allocator_(&allocator) {}
    Vector(Vector&& other)
        : allocator_(other.allocator_),
          data_(base::exchange(other.data_, nullptr)),
          size_(base::exchange(other.size_, 0u)),
          capacity_(base::exchange(other.capacity_, 0u)) {}
    Vector& operator=(Vector&& other) {
        if (this != &other) {
            release();
            allocator_ = other.allocator_;
            data_ = base::exchange(other.data_, nullptr);
            size_ = base::exchange(other.size_, 0u);
            capacity_ = base::exchange(other.capacity_, 0u);
        }
        return *this;
    }
    Vector(const Vector&) = delete;
    Vector& operator=(const Vector&) = delete;
    ~Vector() { release(); }

    Allocator* allocator() const { return allocator_; }
    u32 size() const { return size_; }
    u32 capacity() const { return capacity_; }
    bool is_empty() const { return size_ == 0; }
    T* data() { return data_; }
    const T* data() const { return data_; }
    T* begin() { return data_; }
    T* end() { return data_ + size_; }
    const T* begin() const { return data_; }
    const T* end() const { return data_ + size_; }
    base::Span<T> span() { return {data_, size_}; }
    base::Span<const T> span() const { return {data_, size_}; }

    T& operator[](usize index) {
        ASSERT(index < size_);
        return data_[index];
    }
    const T& operator[](usize index) const {
        ASSERT(index < size_);
        return data_[index];
    }

    base::Result<void, Error> reserve(u32 capacity) {
        if (capacity <= capacity_) return {};
        if (!allocator_) return Error::NoAllocator;
        usize bytes;
        if (!base::checked_mul<usize>(capacity, sizeof(T), bytes)) return Error::OutOfMemory;
        T* fresh = static_cast<T*>(allocator_->allocate(bytes, alignof(T)));
        if (!fresh) return Error::OutOfMemory;
        for (u32 i = 0; i < size_; ++i) {
            new (&fresh[i]) T(base::move(data_[i]));
            data_[i].~T();
        }
        if (data_) allocator_->deallocate(data_, capacity_ * sizeof(T), alignof(T));
        data_ = fresh;
        capacity_ = capacity;
        return {};
    }

    base::Result<void, Error> append(T&& value) {
        if (size_ == capacity_) {
            if (size_ == 0xFFFFFFFFu) return Error::TooLong;
            u32 grown = capacity_ > 0x7FFFFFFFu ? 0xFFFFFFFFu : base::max(capacity_ * 2, 4u);
            TRY(reserve(grown));
        }
        new (&data_[size_++]) T(base::move(value));
        return {};
    }

    // Adds a default-constructed element inside capacity already reserved; decoding fills it in place.
    T& append_reserved() {
        ASSERT(size_ < capacity_);
        return *new (&data_[size_++]) T();
    }

    // Makes room at `index` by moving later elements up; used to keep maps sorted.
    base::Result<void, Error> insert(u32 index, T&& value) {
        ASSERT(index <= size_);
        TRY(append(base::move(value)));
        for (u32 i = size_ - 1; i > index; --i) base::swap(data_[i], data_[i - 1]);
        return {};
    }

    void clear() {
        for (u32 i = 0; i < size_; ++i) data_[i].~T();
        size_ = 0;
    }

    bool operator==(const Vector& other) const {
        if (size_ != other.size_) return false;
        for (u32 i = 0; i < size_; ++i)
            if (!(data_[i] == other.data_[i])) return false;
        return true;
    }

private:
    void release() {
        clear();
        if (data_) allocator_->deallocate(data_, capacity_ * sizeof(T), alignof(T));
        data_ = nullptr;
        capacity_ = 0;
    }

    Allocator* allocator_ = nullptr;
    T* data_ = nullptr;
    u32 size_ = 0;
    u32 capacity_ = 0;
};

}  // namespace ptah
