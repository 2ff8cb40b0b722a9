#pragma once

// A value or nothing: Ptah's option. (The freestanding environments have no std::optional.)

#include <base/assert.h>
#include <base/utility.h>
#include <new>

namespace ptah {

struct NoneType {
    bool operator==(const NoneType&) const = default;
};
inline constexpr NoneType none{};

template <typename T>
class Optional {
public:
    Optional() {}
    Optional(NoneType) {}
    Optional(const T& value) { emplace(value); }
    Optional(T&& value) { emplace(base::move(value)); }
    Optional(const Optional& other) requires std::is_copy_constructible_v<T> {
        if (other.has_value_) emplace(other.value_);
    }
    Optional(Optional&& other) {
        if (other.has_value_) emplace(base::move(other.value_));
    }
    Optional& operator=(const Optional& other) requires std::is_copy_constructible_v<T> {
        if (this != &other) {
            reset();
            if (other.has_value_) emplace(other.value_);
        }
        return *this;
    }
    Optional& operator=(Optional&& other) {
        if (this != &other) {
            reset();
            if (other.has_value_) emplace(base::move(other.value_));
        }
        return *this;
    }
    ~Optional() { reset(); }

    bool has_value() const { return has_value_; }
    explicit operator bool() const { return has_value_; }

    T& value() {
        ASSERT(has_value_);
        return value_;
    }
    const T& value() const {
        ASSERT(has_value_);
        return value_;
    }
    T& operator*() { return value(); }
    const T& operator*() const { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    template <typename... Args>
    T& emplace(Args&&... args) {
        reset();
        new (&value_) T(base::forward<Args>(args)...);
        has_value_ = true;
        return value_;
    }

    void reset() {
        if (has_value_) value_.~T();
        has_value_ = false;
    }

    bool operator==(const Optional& other) const {
        if (has_value_ != other.has_value_) return false;
        return !has_value_ || value_ == other.value_;
    }

private:
    bool has_value_ = false;
    union {
        T value_;
    };
};

}  // namespace ptah
