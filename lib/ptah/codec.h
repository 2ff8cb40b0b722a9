#pragma once

// The codec of each Ptah type is a specialization of Codec<T> (codec_*.h), providing:
//
//   static constexpr usize min_size;   // the fewest bytes any value of T takes on the wire
//   static constexpr bool nests;       // whether it counts against DecodeLimits::max_depth
//   template <typename Sink> static Result<void, Error> encode(Sink&, const T&);   // ByteWriter, SizeCounter
//   static Result<void, Error> decode(Reader&, T&);   // into a default-constructed T
//
// A type with no specialization is a compile-time error, not a runtime one.

#include <base/result.h>
#include <ptah/error.h>
#include <ptah/reader.h>

namespace ptah {

template <typename T>
struct Codec;

template <typename T>
inline constexpr usize min_encoded_size = Codec<T>::min_size;

template <typename T, typename Sink>
base::Result<void, Error> encode_value(Sink& sink, const T& value) {
    return Codec<T>::encode(sink, value);
}

template <typename T>
base::Result<void, Error> decode_value(Reader& reader, T& value) {
    if constexpr (Codec<T>::nests) {
        TRY(reader.enter());
        auto result = Codec<T>::decode(reader, value);
        reader.leave();
        return result;
    } else {
        return Codec<T>::decode(reader, value);
    }
}

// Little-endian fixed-size values, shared by every scalar codec.
namespace detail {

// The unsigned integer as wide as T, whose bits encoding shifts out one byte at a time.
template <typename T>
using Bits = std::conditional_t<
    sizeof(T) == 1, u8,
    std::conditional_t<
        sizeof(T) == 2, u16,
        std::conditional_t<sizeof(T) == 4, u32, std::conditional_t<sizeof(T) == 8, u64, unsigned __int128>>>>;

template <typename T, typename Sink>
base::Result<void, Error> write_little_endian(Sink& sink, T value) {
    auto bits = __builtin_bit_cast(Bits<T>, value);
    u8 bytes[sizeof(T)];
    for (usize i = 0; i < sizeof(T); ++i) bytes[i] = static_cast<u8>(bits >> (8 * i));
    return sink.write(bytes, sizeof(T));
}

template <typename T>
base::Result<T, Error> read_little_endian(Reader& reader) {
    const u8* bytes = TRY(reader.take(sizeof(T)));
    Bits<T> bits = 0;
    for (usize i = 0; i < sizeof(T); ++i) bits |= static_cast<Bits<T>>(bytes[i]) << (8 * i);
    return __builtin_bit_cast(T, bits);
}

template <typename Sink>
base::Result<void, Error> write_count(Sink& sink, usize count) {
    if (count > 0xFFFFFFFFu) return Error::TooLong;
    return write_little_endian(sink, static_cast<u32>(count));
}

}  // namespace detail

}  // namespace ptah
