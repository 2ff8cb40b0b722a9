#pragma once

// Options, fixed arrays, sequences and maps.

#include <base/span.h>
#include <ptah/codec.h>
#include <ptah/map.h>
#include <ptah/optional.h>
#include <ptah/vector.h>

namespace ptah {

template <typename T>
struct Codec<Optional<T>> {
    static constexpr usize min_size = 1;
    static constexpr bool nests = true;

    template <typename Sink>
    static base::Result<void, Error> encode(Sink& sink, const Optional<T>& option) {
        TRY(encode_value<u8>(sink, option.has_value() ? 1 : 0));
        if (option.has_value()) return encode_value(sink, *option);
        return {};
    }
    static base::Result<void, Error> decode(Reader& reader, Optional<T>& option) {
        u8 marker = TRY(detail::read_little_endian<u8>(reader));
        if (marker > 1) return Error::InvalidOptionMarker;
        if (marker == 0) {
            option.reset();
            return {};
        }
        return decode_value(reader, option.emplace());
    }
};

// [T; N]: N elements, no length.
template <typename T, usize N>
struct Codec<T[N]> {
    static constexpr usize min_size = N * min_encoded_size<T>;
    static constexpr bool nests = true;

    template <typename Sink>
    static base::Result<void, Error> encode(Sink& sink, const T (&elements)[N]) {
        for (const T& element : elements) TRY(encode_value(sink, element));
        return {};
    }
    static base::Result<void, Error> decode(Reader& reader, T (&elements)[N]) {
        for (T& element : elements) TRY(decode_value(reader, element));
        return {};
    }
};

template <typename T>
struct Codec<Vector<T>> {
    static constexpr usize min_size = 4;
    static constexpr bool nests = true;

    template <typename Sink>
    static base::Result<void, Error> encode(Sink& sink, const Vector<T>& elements) {
        TRY(detail::write_count(sink, elements.size()));
        for (const T& element : elements) TRY(encode_value(sink, element));
        return {};
    }
    static base::Result<void, Error> decode(Reader& reader, Vector<T>& elements) {
        u32 count = TRY(reader.read_count(min_encoded_size<T>));
        Allocator* allocator = TRY(reader.charge(count, sizeof(T)));
        elements = Vector<T>(*allocator);
        TRY(elements.reserve(count));
        for (u32 i = 0; i < count; ++i) TRY(decode_value(reader, elements.append_reserved()));
        return {};
    }
};

// A borrowed sequence: encodes any span; decodes only bytes, as a view of the message (zero copy).
template <typename T>
struct Codec<base::Span<const T>> {
    static constexpr usize min_size = 4;
    static constexpr bool nests = true;

    template <typename Sink>
    static base::Result<void, Error> encode(Sink& sink, base::Span<const T> elements) {
        TRY(detail::write_count(sink, elements.size()));
        if constexpr (std::is_same_v<T, u8>) {
            return sink.write(elements.data(), elements.size());
        } else {
            for (const T& element : elements) TRY(encode_value(sink, element));
            return {};
        }
    }
    static base::Result<void, Error> decode(Reader& reader, base::Span<const T>& bytes) requires std::is_same_v<T, u8> {
        u32 count = TRY(reader.read_count(1));
        bytes = {TRY(reader.take(count)), count};
        return {};
    }
};

template <typename K, typename V>
struct Codec<Map<K, V>> {
    static constexpr usize min_size = 4;
    static constexpr bool nests = true;

    template <typename Sink>
    static base::Result<void, Error> encode(Sink& sink, const Map<K, V>& map) {
        TRY(detail::write_count(sink, map.size()));
        for (const auto& entry : map) {
            TRY(encode_value(sink, entry.key));
            TRY(encode_value(sink, entry.value));
        }
        return {};
    }
    static base::Result<void, Error> decode(Reader& reader, Map<K, V>& map) {
        using Entry = typename Map<K, V>::Entry;
        u32 count = TRY(reader.read_count(min_encoded_size<K> + min_encoded_size<V>));
        Allocator* allocator = TRY(reader.charge(count, sizeof(Entry)));
        map = Map<K, V>(*allocator);
        auto& entries = map.entries();
        TRY(entries.reserve(count));
        for (u32 i = 0; i < count; ++i) {
            Entry& entry = entries.append_reserved();
            TRY(decode_value(reader, entry.key));
            TRY(decode_value(reader, entry.value));
            if (i > 0) {
                int order = compare_keys(entries[i - 1].key, entry.key);
                if (order == 0) return Error::DuplicateMapKey;
                if (order > 0) return Error::UnsortedMapKeys;
            }
        }
        return {};
    }
};

}  // namespace ptah
