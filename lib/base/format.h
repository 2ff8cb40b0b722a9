#pragma once

// Type-safe `{}` formatting into any sink, with no allocation:
//
//   format(sink, "mapped {} pages at {:#x}", count, address);
//
// A replacement field is `{}` or `{:SPEC}` where SPEC is [#][0][width][x|X|d|c]. `{{` and `}}`
// are literal braces. Extra fields print `{?}`; extra arguments are ignored.

#include <base/string_view.h>
#include <base/types.h>
#include <type_traits>

namespace base {

class FormatSink {
public:
    virtual void write(StringView text) = 0;

protected:
    ~FormatSink() = default;
};

// Writes into a fixed buffer, always null-terminated, truncating what does not fit.
class BufferSink final : public FormatSink {
public:
    BufferSink(char* buffer, usize capacity) : buffer_(buffer), capacity_(capacity) {
        if (capacity_) buffer_[0] = '\0';
    }
    void write(StringView text) override;
    usize length() const { return length_; }
    bool truncated() const { return truncated_; }
    StringView view() const { return StringView(buffer_, length_); }

private:
    char* buffer_;
    usize capacity_;
    usize length_ = 0;
    bool truncated_ = false;
};

struct FormatArgument {
    enum class Kind : u8 { Signed, Unsigned, Pointer, String, Char, Bool };
    Kind kind;
    union {
        i64 signed_value;
        u64 unsigned_value;
        const void* pointer;
        StringView string;
        char character;
        bool boolean;
    };

    template <typename T>
    static FormatArgument from(const T& value) {
        FormatArgument argument{};
        using U = std::remove_cvref_t<T>;
        if constexpr (std::is_same_v<U, bool>) {
            argument.kind = Kind::Bool;
            argument.boolean = value;
        } else if constexpr (std::is_same_v<U, char>) {
            argument.kind = Kind::Char;
            argument.character = value;
        } else if constexpr (std::is_enum_v<U>) {
            argument.kind = Kind::Unsigned;
            argument.unsigned_value = static_cast<u64>(value);
        } else if constexpr (std::is_integral_v<U> && std::is_signed_v<U>) {
            argument.kind = Kind::Signed;
            argument.signed_value = value;
        } else if constexpr (std::is_integral_v<U>) {
            argument.kind = Kind::Unsigned;
            argument.unsigned_value = value;
        } else if constexpr (std::is_same_v<U, StringView>) {
            argument.kind = Kind::String;
            argument.string = value;
        } else if constexpr (std::is_convertible_v<U, const char*>) {
            argument.kind = Kind::String;
            argument.string = StringView(static_cast<const char*>(value));
        } else if constexpr (std::is_pointer_v<U>) {
            argument.kind = Kind::Pointer;
            argument.pointer = value;
        } else {
            static_assert(sizeof(U) == 0, "type cannot be formatted");
        }
        return argument;
    }
};

void format_arguments(FormatSink& sink, StringView format, const FormatArgument* arguments, usize count);

template <typename... Args>
void format(FormatSink& sink, StringView format_string, const Args&... args) {
    if constexpr (sizeof...(Args) == 0) {
        format_arguments(sink, format_string, nullptr, 0);
    } else {
        FormatArgument arguments[] = {FormatArgument::from(args)...};
        format_arguments(sink, format_string, arguments, sizeof...(Args));
    }
}

// Formats into `buffer`, returning the (possibly truncated) text.
template <typename... Args>
StringView format_to(char* buffer, usize capacity, StringView format_string, const Args&... args) {
    BufferSink sink(buffer, capacity);
    format(sink, format_string, args...);
    return sink.view();
}

}  // namespace base
