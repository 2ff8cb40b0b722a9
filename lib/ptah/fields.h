#pragma once

// How a struct tells Ptah its fields: name them, in wire order, with PTAH_FIELDS.
//
//   struct NewClient {
//       base::StringView name;
//       ptah::Handle<poplar::ObjectType::Channel> channel;
//       PTAH_FIELDS(name, channel)
//   };
//
// The macro adds `ptah_fields(visitor)`, which calls visitor(name, channel); the codec folds over that
// pack, so encoding, decoding and sizing need no per-type code. A struct with no fields may write
// PTAH_FIELDS() or nothing at all: an empty struct is Ptah's unit.

#include <type_traits>

#define PTAH_FIELDS(...)                                                \
    template <typename PtahVisitor>                                     \
    constexpr decltype(auto) ptah_fields(PtahVisitor&& visitor) {       \
        return visitor(__VA_ARGS__);                                    \
    }                                                                   \
    template <typename PtahVisitor>                                     \
    constexpr decltype(auto) ptah_fields(PtahVisitor&& visitor) const { \
        return visitor(__VA_ARGS__);                                    \
    }

namespace ptah {

namespace detail {
struct AcceptAnyFields {
    template <typename... Fields>
    constexpr int operator()(Fields&...) const {
        return 0;
    }
};
}  // namespace detail

template <typename T>
concept HasFields = requires(T& value) {
    value.ptah_fields(detail::AcceptAnyFields{});
};

// A field-less struct without PTAH_FIELDS: unit.
template <typename T>
concept IsUnit = std::is_class_v<T> && std::is_empty_v<T> && !HasFields<T>;

// Two values in order: Ptah's tuple of two, e.g. the (usize, u32) segments of a boot task.
template <typename First, typename Second>
struct Pair {
    First first{};
    Second second{};
    PTAH_FIELDS(first, second)
    bool operator==(const Pair&) const = default;
};

}  // namespace ptah
