#pragma once

// narrow<To>(value): a narrowing conversion of a value already known to fit (a checked count, a
// validated flag word). That it fits is an invariant, asserted; user input is checked before.

#include <base/assert.h>
#include <base/types.h>

namespace base {

template <typename To, typename From>
constexpr To narrow(From value) {
    To narrowed = static_cast<To>(value);
    ASSERT(static_cast<From>(narrowed) == value);
    return narrowed;
}

}  // namespace base
