#pragma once

// Up to Capacity values in place, of which only those appended are ever constructed or
// destroyed: a fixed-size array of RefPtrs costs a constructor and a destructor per slot even when
// two are used, which on a system call's stack is most of its work.

#include <base/assert.h>
#include <base/span.h>
#include <base/types.h>
#include <base/utility.h>
#include <new>

namespace base {

template <typename T, usize Capacity>
class BoundedVector {
public:
    BoundedVector() = default;
    BoundedVector(const BoundedVector&) = delete;
    BoundedVector& operator=(const BoundedVector&) = delete;
    ~BoundedVector() { clear(); }

    usize size() const { return size_; }
    bool is_full() const { return size_ == Capacity; }

    // The caller checks is_full() first: appending to a full vector is a kernel bug.
    T& append(T&& value) {
        ASSERT(size_ < Capacity);
        return *new (&data()[size_++]) T(base::move(value));
    }

    void clear() {
        while (size_ > 0) data()[--size_].~T();
    }

    T& operator[](usize index) {
        ASSERT(index < size_);
        return data()[index];
    }
    const T& operator[](usize index) const {
        ASSERT(index < size_);
        return data()[index];
    }
    Span<T> span() { return {data(), size_}; }

private:
    T* data() { return reinterpret_cast<T*>(storage_); }
    const T* data() const { return reinterpret_cast<const T*>(storage_); }

    alignas(T) u8 storage_[Capacity * sizeof(T)];
    usize size_ = 0;
};

}  // namespace base
