#include <ptah/utf8.h>

namespace ptah {

namespace {

constexpr bool is_continuation(u8 byte) { return (byte & 0xC0) == 0x80; }

// Decodes the multi-byte sequence starting at text[start]; returns its length.
base::Result<usize, Error> check_sequence(base::ReadonlyBytes text, usize start) {
    u8 lead = text[start];
    usize length;
    u32 code_point;
    u32 smallest;
    if ((lead & 0xE0) == 0xC0) {
        length = 2, code_point = lead & 0x1F, smallest = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
        length = 3, code_point = lead & 0x0F, smallest = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
        length = 4, code_point = lead & 0x07, smallest = 0x10000;
    } else {
        return Error::Utf8InvalidByte;  // a stray continuation byte or 0xF8..0xFF
    }
    for (usize i = 1; i < length; ++i) {
        if (start + i >= text.size()) return Error::Utf8Truncated;
        u8 byte = text[start + i];
        if (!is_continuation(byte)) return Error::Utf8InvalidByte;
        code_point = (code_point << 6) | (byte & 0x3F);
    }
    if (code_point < smallest) return Error::Utf8Overlong;
    if (code_point > 0x10FFFF) return Error::Utf8TooLarge;
    if (code_point >= 0xD800 && code_point <= 0xDFFF) return Error::Utf8Surrogate;
    return length;
}

}  // namespace

base::Result<void, Error> validate_utf8(base::ReadonlyBytes text) {
    usize index = 0;
    const u8* bytes = text.data();
    while (index < text.size()) {
        if (bytes[index] < 0x80) {  // the common case: ASCII, one byte at a time without bounds asserts
            ++index;
            continue;
        }
        index += TRY(check_sequence(text, index));
    }
    return {};
}

}  // namespace ptah
