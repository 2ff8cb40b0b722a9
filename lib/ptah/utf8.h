#pragma once

// UTF-8 and Unicode scalar checks, strict as the Ptah format requires: no overlong forms, no surrogates,
// nothing above U+10FFFF.

#include <base/result.h>
#include <base/span.h>
#include <ptah/error.h>

namespace ptah {

constexpr bool is_unicode_scalar(u32 value) { return value <= 0x10FFFF && (value < 0xD800 || value > 0xDFFF); }

// Ok when `text` is well-formed UTF-8, otherwise the Utf8* error describing the first bad sequence.
base::Result<void, Error> validate_utf8(base::ReadonlyBytes text);

}  // namespace ptah
