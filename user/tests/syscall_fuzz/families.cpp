#include "families.h"

#include <base/format.h>

#include "parse.h"

namespace fuzz {

namespace {

constexpr const char* names[family::count] = {"random", "handles", "pointers", "sizes",       "rflags",     "cycles",
                                              "chains", "races",   "tasks",    "generations", "kernel_work"};

bool family_by_name(base::StringView name, u32& bit) {
    if (name == "all") {
        bit = family::all;
        return true;
    }
    for (u32 i = 0; i < family::count; ++i) {
        if (name == names[i]) {
            bit = 1u << i;
            return true;
        }
    }
    return false;
}

}  // namespace

bool parse_families(base::StringView text, u32& families) {
    u64 number = 0;
    if (parse_number(text, number)) {
        if (number > family::all) return false;
        families = static_cast<u32>(number);
        return true;
    }
    // Names joined by '+' (add) and '-' (remove), read left to right.
    u32 result = 0;
    bool adding = true;
    while (!text.is_empty()) {
        usize end = 0;
        while (end < text.length() && text[end] != '+' && text[end] != '-') ++end;
        u32 bit = 0;
        if (!family_by_name(text.substring(0, end), bit)) return false;
        result = adding ? result | bit : result & ~bit;
        if (end == text.length()) break;
        adding = text[end] == '+';
        text = text.substring(end + 1);
    }
    families = result;
    return true;
}

base::StringView describe_families(u32 families, char* buffer, usize capacity) {
    if (families == family::all) return base::format_to(buffer, capacity, "all");
    base::BufferSink sink(buffer, capacity);
    for (u32 i = 0; i < family::count; ++i) {
        if (!(families & (1u << i))) continue;
        if (sink.length()) sink.write("+");
        sink.write(names[i]);
    }
    if (!sink.length()) sink.write("none");
    return sink.view();
}

}  // namespace fuzz
