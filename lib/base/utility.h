#pragma once

// The few std utilities we need, without depending on a hosted standard library.

#include <base/types.h>
#include <type_traits>

namespace base {

template <typename T>
constexpr std::remove_reference_t<T>&& move(T&& value) noexcept {
    return static_cast<std::remove_reference_t<T>&&>(value);
}

template <typename T>
constexpr T&& forward(std::remove_reference_t<T>& value) noexcept {
    return static_cast<T&&>(value);
}

template <typename T>
constexpr T&& forward(std::remove_reference_t<T>&& value) noexcept {
    return static_cast<T&&>(value);
}

template <typename T, typename U = T>
constexpr T exchange(T& target, U&& replacement) {
    T old = base::move(target);
    target = base::forward<U>(replacement);
    return old;
}

template <typename T>
constexpr void swap(T& a, T& b) {
    T tmp = base::move(a);
    a = base::move(b);
    b = base::move(tmp);
}

template <typename T>
constexpr const T& min(const T& a, const T& b) {
    return b < a ? b : a;
}

template <typename T>
constexpr const T& max(const T& a, const T& b) {
    return a < b ? b : a;
}

template <typename T>
constexpr T clamp(const T& value, const T& low, const T& high) {
    return value < low ? low : (high < value ? high : value);
}

constexpr bool is_power_of_two(u64 value) { return value != 0 && (value & (value - 1)) == 0; }

// `alignment` must be a power of two.
constexpr u64 align_down(u64 value, u64 alignment) { return value & ~(alignment - 1); }

// `alignment` must be a power of two; false when rounding up would overflow.
constexpr bool align_up(u64 value, u64 alignment, u64& out) {
    u64 rounded = value + (alignment - 1);
    if (rounded < value) return false;
    out = rounded & ~(alignment - 1);
    return true;
}

constexpr u64 align_up_unchecked(u64 value, u64 alignment) { return (value + alignment - 1) & ~(alignment - 1); }

// Overflow-checked arithmetic: false on overflow.
template <typename T>
constexpr bool checked_add(T a, T b, T& out) {
    return !__builtin_add_overflow(a, b, &out);
}

template <typename T>
constexpr bool checked_mul(T a, T b, T& out) {
    return !__builtin_mul_overflow(a, b, &out);
}

}  // namespace base
