#pragma once

#include <base/assert.h>
#include <base/types.h>

namespace base {

constexpr usize string_length(const char* text) {
    usize length = 0;
    while (text[length]) ++length;
    return length;
}

// A borrowed run of characters; not necessarily null-terminated.
class StringView {
public:
    constexpr StringView() = default;
    constexpr StringView(const char* text) : data_(text), length_(text ? string_length(text) : 0) {}
    constexpr StringView(const char* data, usize length) : data_(data), length_(length) {}

    constexpr const char* data() const { return data_; }
    constexpr usize length() const { return length_; }
    constexpr bool is_empty() const { return length_ == 0; }

    constexpr char operator[](usize index) const {
        ASSERT(index < length_);
        return data_[index];
    }

    constexpr StringView substring(usize start, usize count) const {
        ASSERT(start <= length_ && count <= length_ - start);
        return StringView(data_ + start, count);
    }
    constexpr StringView substring(usize start) const { return substring(start, length_ - start); }

    constexpr bool operator==(StringView other) const {
        if (length_ != other.length_) return false;
        for (usize i = 0; i < length_; ++i)
            if (data_[i] != other.data_[i]) return false;
        return true;
    }

    constexpr bool starts_with(StringView prefix) const {
        return prefix.length_ <= length_ && substring(0, prefix.length_) == prefix;
    }

    constexpr bool ends_with(StringView suffix) const {
        return suffix.length_ <= length_ && substring(length_ - suffix.length_) == suffix;
    }

    // Index of the first `c`, or length() when absent.
    constexpr usize find(char c) const {
        for (usize i = 0; i < length_; ++i)
            if (data_[i] == c) return i;
        return length_;
    }

    constexpr const char* begin() const { return data_; }
    constexpr const char* end() const { return data_ + length_; }

private:
    const char* data_ = nullptr;
    usize length_ = 0;
};

}  // namespace base
