#pragma once

#include <base/assert.h>
#include <base/types.h>
#include <type_traits>

namespace base {

// A pointer and a length; never owns.
template <typename T>
class Span {
public:
    constexpr Span() = default;
    constexpr Span(T* data, usize size) : data_(data), size_(size) {}
    template <usize N>
    constexpr Span(T (&array)[N]) : data_(array), size_(N) {}
    template <typename U>
    requires(std::is_const_v<T>&& std::is_same_v<std::remove_const_t<T>, U>) constexpr Span(Span<U> other)
        : data_(other.data()), size_(other.size()) {}

    constexpr T* data() const { return data_; }
    constexpr usize size() const { return size_; }
    constexpr usize size_in_bytes() const { return size_ * sizeof(T); }
    constexpr bool is_empty() const { return size_ == 0; }

    constexpr T& operator[](usize index) const {
        ASSERT(index < size_);
        return data_[index];
    }

    constexpr Span slice(usize start, usize count) const {
        ASSERT(start <= size_ && count <= size_ - start);
        return Span(data_ + start, count);
    }
    constexpr Span slice(usize start) const { return slice(start, size_ - start); }

    constexpr T* begin() const { return data_; }
    constexpr T* end() const { return data_ + size_; }

private:
    T* data_ = nullptr;
    usize size_ = 0;
};

using Bytes = Span<u8>;
using ReadonlyBytes = Span<const u8>;

}  // namespace base
