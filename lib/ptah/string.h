#pragma once

// An owning UTF-8 string whose memory comes from a ptah::Allocator. It is valid UTF-8 by construction,
// so encoding it never needs to check again. For a string that only has to live as long as the message
// bytes, decode into base::StringView instead: no allocation, no copy.

#include <base/string_view.h>
#include <ptah/utf8.h>
#include <ptah/vector.h>

namespace ptah {

template <typename T>
struct Codec;

class String {
public:
    String() = default;

    static base::Result<String, Error> copy(Allocator& allocator, base::StringView text) {
        auto bytes = base::ReadonlyBytes(reinterpret_cast<const u8*>(text.data()), text.length());
        TRY(validate_utf8(bytes));
        return copy_valid_utf8(allocator, text);
    }

    base::StringView view() const { return {bytes_.data(), bytes_.size()}; }
    u32 length() const { return bytes_.size(); }
    bool is_empty() const { return bytes_.is_empty(); }

    bool operator==(const String& other) const { return view() == other.view(); }
    bool operator==(base::StringView other) const { return view() == other; }

private:
    friend struct Codec<String>;  // decoding has validated the text already

    static base::Result<String, Error> copy_valid_utf8(Allocator& allocator, base::StringView text) {
        if (text.length() > 0xFFFFFFFFu) return Error::TooLong;
        String result;
        result.bytes_ = Vector<char>(allocator);
        TRY(result.bytes_.reserve(static_cast<u32>(text.length())));
        for (char c : text) result.bytes_.append_reserved() = c;
        return result;
    }

    Vector<char> bytes_;
};

}  // namespace ptah
