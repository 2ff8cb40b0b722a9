#include <base/format.h>

namespace base {

void BufferSink::write(StringView text) {
    for (char c : text) {
        if (length_ + 1 >= capacity_) {
            truncated_ = true;
            break;
        }
        buffer_[length_++] = c;
    }
    if (capacity_) buffer_[length_] = '\0';
}

namespace {

struct Spec {
    bool alternate = false;
    bool zero_pad = false;
    usize width = 0;
    char type = 0;
};

Spec parse_spec(StringView text) {
    Spec spec;
    usize i = 0;
    if (i < text.length() && text[i] == '#') spec.alternate = true, ++i;
    if (i < text.length() && text[i] == '0') spec.zero_pad = true, ++i;
    while (i < text.length() && text[i] >= '0' && text[i] <= '9') spec.width = spec.width * 10 + (text[i++] - '0');
    if (i < text.length()) spec.type = text[i];
    return spec;
}

void write_padded(FormatSink& sink, StringView body, StringView prefix, const Spec& spec) {
    usize total = body.length() + prefix.length();
    char pad = spec.zero_pad ? '0' : ' ';
    if (!spec.zero_pad)
        for (usize i = total; i < spec.width; ++i) sink.write(StringView(&pad, 1));
    sink.write(prefix);
    if (spec.zero_pad)
        for (usize i = total; i < spec.width; ++i) sink.write(StringView(&pad, 1));
    sink.write(body);
}

void write_unsigned(FormatSink& sink, u64 value, bool negative, const Spec& spec) {
    bool hex = spec.type == 'x' || spec.type == 'X' || spec.type == 'p';
    const char* digits = spec.type == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
    u64 radix = hex ? 16 : 10;
    char buffer[24];
    usize position = sizeof(buffer);
    do {
        buffer[--position] = digits[value % radix];
        value /= radix;
    } while (value);
    StringView prefix = negative ? "-" : (hex && spec.alternate ? "0x" : "");
    write_padded(sink, StringView(buffer + position, sizeof(buffer) - position), prefix, spec);
}

void write_argument(FormatSink& sink, const FormatArgument& argument, Spec spec) {
    using Kind = FormatArgument::Kind;
    switch (argument.kind) {
        case Kind::Signed: {
            i64 value = argument.signed_value;
            if (spec.type == 'x' || spec.type == 'X') {
                write_unsigned(sink, static_cast<u64>(value), false, spec);
            } else {
                u64 magnitude = value < 0 ? 0 - static_cast<u64>(value) : static_cast<u64>(value);
                write_unsigned(sink, magnitude, value < 0, spec);
            }
            return;
        }
        case Kind::Unsigned:
            if (spec.type == 'c') {
                char c = static_cast<char>(argument.unsigned_value);
                write_padded(sink, StringView(&c, 1), "", spec);
                return;
            }
            write_unsigned(sink, argument.unsigned_value, false, spec);
            return;
        case Kind::Pointer:
            spec.type = 'x';
            spec.alternate = true;
            write_unsigned(sink, reinterpret_cast<uptr>(argument.pointer), false, spec);
            return;
        case Kind::String:
            write_padded(sink, argument.string, "", spec);
            return;
        case Kind::Char:
            write_padded(sink, StringView(&argument.character, 1), "", spec);
            return;
        case Kind::Bool:
            write_padded(sink, argument.boolean ? "true" : "false", "", spec);
            return;
    }
}

}  // namespace

void format_arguments(FormatSink& sink, StringView format, const FormatArgument* arguments, usize count) {
    usize next_argument = 0;
    usize literal_start = 0;
    usize i = 0;
    auto flush_literal = [&](usize end) {
        if (end > literal_start) sink.write(format.substring(literal_start, end - literal_start));
    };
    while (i < format.length()) {
        char c = format[i];
        if ((c == '{' || c == '}') && i + 1 < format.length() && format[i + 1] == c) {
            flush_literal(i + 1);
            i += 2;
            literal_start = i;
            continue;
        }
        if (c != '{') {
            ++i;
            continue;
        }
        usize close = i + 1;
        while (close < format.length() && format[close] != '}') ++close;
        if (close == format.length()) break;
        flush_literal(i);
        StringView inside = format.substring(i + 1, close - i - 1);
        Spec spec = inside.starts_with(":") ? parse_spec(inside.substring(1)) : Spec{};
        if (next_argument < count)
            write_argument(sink, arguments[next_argument++], spec);
        else
            sink.write("{?}");
        i = close + 1;
        literal_start = i;
    }
    flush_literal(format.length());
}

}  // namespace base
