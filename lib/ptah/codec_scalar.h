#pragma once

// bool, integers (8 to 128 bits), floats and char.

#include <ptah/codec.h>
#include <ptah/utf8.h>

namespace ptah {

using u128 = unsigned __int128;
using i128 = __int128;

namespace detail {
template <typename T>
constexpr bool is_character_type =
    std::is_same_v<T, char> || std::is_same_v<T, wchar_t> || std::is_same_v<T, char8_t> ||
    std::is_same_v<T, char16_t> || std::is_same_v<T, char32_t>;
}  // namespace detail

// Plain `char` is left out on purpose: it is neither clearly a byte (u8) nor a character (char32_t).
template <typename T>
concept WireInteger = (std::is_integral_v<T> && !std::is_same_v<T, bool> && !detail::is_character_type<T>) ||
                      std::is_same_v<T, u128> || std::is_same_v<T, i128>;

template <typename T>
requires WireInteger<T> || std::is_floating_point_v<T>
struct Codec<T> {
    static_assert(sizeof(T) <= 16 && sizeof(T) != 10, "no such Ptah number");
    static constexpr usize min_size = sizeof(T);
    static constexpr bool nests = false;

    template <typename Sink>
    static base::Result<void, Error> encode(Sink& sink, T value) {
        return detail::write_little_endian(sink, value);
    }
    static base::Result<void, Error> decode(Reader& reader, T& value) {
        value = TRY(detail::read_little_endian<T>(reader));
        return {};
    }
};

template <>
struct Codec<bool> {
    static constexpr usize min_size = 1;
    static constexpr bool nests = false;

    template <typename Sink>
    static base::Result<void, Error> encode(Sink& sink, bool value) {
        return detail::write_little_endian<u8>(sink, value ? 1 : 0);
    }
    static base::Result<void, Error> decode(Reader& reader, bool& value) {
        u8 byte = TRY(detail::read_little_endian<u8>(reader));
        if (byte > 1) return Error::InvalidBool;
        value = byte == 1;
        return {};
    }
};

template <>
struct Codec<char32_t> {
    static constexpr usize min_size = 4;
    static constexpr bool nests = false;

    template <typename Sink>
    static base::Result<void, Error> encode(Sink& sink, char32_t value) {
        if (!is_unicode_scalar(value)) return Error::InvalidChar;
        return detail::write_little_endian<u32>(sink, value);
    }
    static base::Result<void, Error> decode(Reader& reader, char32_t& value) {
        u32 scalar = TRY(detail::read_little_endian<u32>(reader));
        if (!is_unicode_scalar(scalar)) return Error::InvalidChar;
        value = scalar;
        return {};
    }
};

}  // namespace ptah
