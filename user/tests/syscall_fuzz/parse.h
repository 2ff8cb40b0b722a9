#pragma once

// Numbers in the fuzzer's argument text: decimal, or hexadecimal after "0x".

#include <base/string_view.h>
#include <base/types.h>

namespace fuzz {

inline bool parse_number(base::StringView text, u64& value) {
    u64 base = 10;
    if (text.starts_with("0x")) {
        base = 16;
        text = text.substring(2);
    }
    if (text.is_empty()) return false;
    u64 result = 0;
    for (char c : text) {
        u64 digit;
        if (c >= '0' && c <= '9')
            digit = c - '0';
        else if (base == 16 && c >= 'a' && c <= 'f')
            digit = c - 'a' + 10;
        else
            return false;
        result = result * base + digit;
    }
    value = result;
    return true;
}

}  // namespace fuzz
