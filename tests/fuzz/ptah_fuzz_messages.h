#pragma once

// What the Ptah decoder fuzzer decodes, shared with the seed generator. A fuzz input is:
//
//   byte 0        message kind (low 3 bits, modulo kKindCount); bit 3 selects tight decode limits
//   byte 1        handle count, modulo 18 (17 exercises TooManyHandles)
//   next count    one object-type byte per handle (modulo 8)
//   the rest      the message bytes

#include <poplar/protocols/echo.h>
#include <poplar/protocols/service_registry.h>
#include <ptah/ptah.h>

#include <vector>

namespace ptah_fuzz {

enum class Kind : u8 { RegistryRequest, RegistryResponse, ProviderMessage, EchoRequest, Everything };
inline constexpr u8 kKindCount = 5;
inline constexpr u8 kTightLimitsBit = 0x08;
inline constexpr usize kHandleCountModulus = ptah::kMaxHandles + 2;

struct Segment {
    u64 base = 0;
    u32 pages = 0;
    PTAH_FIELDS(base, pages)
};
struct Stop {};
struct Rename {
    ptah::String to;
    ptah::Optional<char32_t> separator;
    PTAH_FIELDS(to, separator)
};
using Action = ptah::Variant<Stop, Rename, Segment>;

// Every kind of field at once, owning and borrowed.
struct Everything {
    bool flag = false;
    i16 small = 0;
    ptah::u128 wide = 0;
    double ratio = 0;
    char32_t letter = 0;
    base::StringView borrowed;
    ptah::String owned;
    ptah::Optional<ptah::Vector<Segment>> segments;
    ptah::Map<ptah::String, ptah::Vector<u8>> table;
    ptah::Map<u32, Action> actions;
    ptah::Vector<ptah::Vector<ptah::Optional<i64>>> nested;
    u8 fixed[2] = {};
    base::ReadonlyBytes payload;
    ptah::Handle<poplar::ObjectType::Channel> channel;
    ptah::Optional<ptah::AnyHandle> extra;
    PTAH_FIELDS(flag, small, wide, ratio, letter, borrowed, owned, segments, table, actions, nested, fixed, payload,
                channel, extra)
};

// Lays out a fuzz input as described above.
inline std::vector<u8> make_input(Kind kind, const std::vector<ptah::TransferredHandle>& handles,
                                  const std::vector<u8>& message) {
    std::vector<u8> input{u8(kind), u8(handles.size())};
    for (const auto& handle : handles) input.push_back(u8(handle.object_type));
    input.insert(input.end(), message.begin(), message.end());
    return input;
}

}  // namespace ptah_fuzz
