#pragma once

// demo.kv: a small key-value store, the example of a user -> user service (docs/services.md,
// user/demo/kv_store.cpp). Keys and values are text; a key holds one value.
//
//   Get{key}         -> Found{value} | Missing{}
//   Put{key, value}  -> Stored{}     | Refused{reason}
//   Remove{key}      -> Removed{}    | Missing{}
//
// Refused says why nothing was stored: an empty or too long key, a too long value, or a full
// store (Put of a new key when it holds max_entries; replacing a key's value always fits). A
// request that does not decode ends the client's session (it sees peer_closed).
// Variant indices are wire format: append new alternatives, never reorder.

#include <base/string_view.h>
#include <ptah/fields.h>
#include <ptah/protocol.h>
#include <ptah/variant.h>

namespace poplar::protocols {

namespace key_value {

inline constexpr usize max_key_bytes = 32;
inline constexpr usize max_value_bytes = 128;
inline constexpr usize max_entries = 64;

enum class Reason : u8 { empty_key = 1, key_too_long = 2, value_too_long = 3, store_full = 4 };

struct Get {
    base::StringView key;
    PTAH_FIELDS(key)
    bool operator==(const Get&) const = default;
};
struct Put {
    base::StringView key;
    base::StringView value;
    PTAH_FIELDS(key, value)
    bool operator==(const Put&) const = default;
};
struct Remove {
    base::StringView key;
    PTAH_FIELDS(key)
    bool operator==(const Remove&) const = default;
};

struct Found {
    base::StringView value;
    PTAH_FIELDS(value)
    bool operator==(const Found&) const = default;
};
struct Missing {
    bool operator==(const Missing&) const = default;
};
struct Stored {
    bool operator==(const Stored&) const = default;
};
struct Removed {
    bool operator==(const Removed&) const = default;
};
struct Refused {
    u8 reason = 0;  // a Reason
    PTAH_FIELDS(reason)
    bool operator==(const Refused&) const = default;
};

}  // namespace key_value

struct KeyValue {
    static constexpr base::StringView name = "demo.kv";
    using Request = ptah::Variant<key_value::Get, key_value::Put, key_value::Remove>;
    using Response =
        ptah::Variant<key_value::Found, key_value::Missing, key_value::Stored, key_value::Removed, key_value::Refused>;
};

}  // namespace poplar::protocols
