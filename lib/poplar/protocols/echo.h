#pragma once

// A small protocol for tests and bring-up: echo text back, or log a line.

#include <base/string_view.h>
#include <ptah/fields.h>
#include <ptah/protocol.h>
#include <ptah/variant.h>

namespace poplar::protocols {

namespace echo {

// Log levels, most severe first.
inline constexpr u8 kLogError = 0;
inline constexpr u8 kLogWarning = 1;
inline constexpr u8 kLogInfo = 2;
inline constexpr u8 kLogDebug = 3;

struct Echo {
    base::StringView text;
    PTAH_FIELDS(text)
    bool operator==(const Echo&) const = default;
};
struct Log {
    u8 level = kLogInfo;
    base::StringView message;
    PTAH_FIELDS(level, message)
    bool operator==(const Log&) const = default;
};

struct Echoed {
    base::StringView text;
    PTAH_FIELDS(text)
    bool operator==(const Echoed&) const = default;
};
struct Logged {
    bool operator==(const Logged&) const = default;
};

}  // namespace echo

struct EchoProtocol {
    static constexpr base::StringView name = "poplar.echo";
    using Request = ptah::Variant<echo::Echo, echo::Log>;
    using Response = ptah::Variant<echo::Echoed, echo::Logged>;
};

}  // namespace poplar::protocols
