#pragma once

// Structs (fields in order), unit (nothing) and variants (u32 index, then the alternative).

#include <ptah/codec.h>
#include <ptah/fields.h>
#include <ptah/variant.h>

namespace ptah {

namespace detail {
template <typename T>
using Field = std::remove_cvref_t<T>;

template <usize N>
struct SizeConstant {
    static constexpr usize value = N;
};

// Computes a struct's minimum size from its field types alone, so the struct need not be a literal type.
struct SumOfMinSizes {
    template <typename... Fields>
    auto operator()(Fields&...) const -> SizeConstant<(min_encoded_size<Field<Fields>> + ... + 0)> {
        return {};
    }
};
}  // namespace detail

template <HasFields T>
struct Codec<T> {
    static constexpr usize min_size = decltype(std::declval<T&>().ptah_fields(detail::SumOfMinSizes{}))::value;
    static constexpr bool nests = true;

    template <typename Sink>
    static base::Result<void, Error> encode(Sink& sink, const T& value) {
        return value.ptah_fields([&](const auto&... fields) {
            base::Result<void, Error> result;
            ((result = encode_value(sink, fields)).is_ok() && ...);
            return result;
        });
    }
    static base::Result<void, Error> decode(Reader& reader, T& value) {
        return value.ptah_fields([&](auto&... fields) {
            base::Result<void, Error> result;
            ((result = decode_value(reader, fields)).is_ok() && ...);
            return result;
        });
    }
};

template <IsUnit T>
struct Codec<T> {
    static constexpr usize min_size = 0;
    static constexpr bool nests = false;

    template <typename Sink>
    static base::Result<void, Error> encode(Sink&, const T&) {
        return {};
    }
    static base::Result<void, Error> decode(Reader&, T&) { return {}; }
};

template <typename... Ts>
struct Codec<Variant<Ts...>> {
    static constexpr usize min_size = 4;
    static constexpr bool nests = true;

    template <typename Sink>
    static base::Result<void, Error> encode(Sink& sink, const Variant<Ts...>& variant) {
        TRY(encode_value<u32>(sink, variant.index()));
        base::Result<void, Error> result;
        variant.visit([&](const auto& alternative) { result = encode_value(sink, alternative); });
        return result;
    }
    static base::Result<void, Error> decode(Reader& reader, Variant<Ts...>& variant) {
        u32 index = TRY(detail::read_little_endian<u32>(reader));
        if (index >= sizeof...(Ts)) return Error::UnknownVariant;
        base::Result<void, Error> result;
        (void)((index == Variant<Ts...>::template index_of<Ts>
                    ? (result = decode_value(reader, variant.template emplace<Ts>()), true)
                    : false) ||
               ...);
        return result;
    }
};

}  // namespace ptah
