#pragma once

// A decimal integer at the start of `text` ("-12", "7 more"), for test helpers that take commands.
// Digits past the first non-digit are ignored; no overflow check (test input only).

#include <base/string_view.h>

namespace usertest {

inline i64 parse_integer(base::StringView text) {
    bool negative = text.starts_with("-");
    if (negative) text = text.substring(1);
    i64 value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') break;
        value = value * 10 + (c - '0');
    }
    return negative ? -value : value;
}

}  // namespace usertest
