#pragma once

// Strings: u32 byte length, then UTF-8. Decoding into base::StringView borrows the message's bytes (no
// allocation); decoding into ptah::String copies them into memory from the decode's allocator.

#include <base/string_view.h>
#include <ptah/codec.h>
#include <ptah/string.h>

namespace ptah {

namespace detail {

template <typename Sink>
base::Result<void, Error> write_text(Sink& sink, base::StringView text) {
    TRY(write_count(sink, text.length()));
    return sink.write(reinterpret_cast<const u8*>(text.data()), text.length());
}

inline base::Result<base::StringView, Error> read_text(Reader& reader) {
    u32 length = TRY(reader.read_count(1));
    const u8* bytes = TRY(reader.take(length));
    TRY(validate_utf8({bytes, length}));
    return base::StringView(reinterpret_cast<const char*>(bytes), length);
}

}  // namespace detail

template <>
struct Codec<base::StringView> {
    static constexpr usize min_size = 4;
    static constexpr bool nests = false;

    template <typename Sink>
    static base::Result<void, Error> encode(Sink& sink, base::StringView text) {
        // Too long for the buffer: fail before the check (a caller trying a small buffer first).
        if (!sink.has_room_for(text.length())) return Error::BufferTooSmall;
        // A borrowed string was never checked; refuse to send what the receiver would refuse.
        TRY(validate_utf8({reinterpret_cast<const u8*>(text.data()), text.length()}));
        return detail::write_text(sink, text);
    }
    static base::Result<void, Error> decode(Reader& reader, base::StringView& text) {
        text = TRY(detail::read_text(reader));
        return {};
    }
};

template <>
struct Codec<String> {
    static constexpr usize min_size = 4;
    static constexpr bool nests = false;

    template <typename Sink>
    static base::Result<void, Error> encode(Sink& sink, const String& text) {
        return detail::write_text(sink, text.view());
    }
    static base::Result<void, Error> decode(Reader& reader, String& text) {
        base::StringView view = TRY(detail::read_text(reader));
        Allocator* allocator = TRY(reader.charge(view.length(), 1));
        text = TRY(String::copy_valid_utf8(*allocator, view));
        return {};
    }
};

}  // namespace ptah
