#pragma once

// The one rule for service names, shared by the system calls (service_register, service_subscribe)
// and the registry protocol (poplar/protocols/service_registry.h).
//
// A name is 1..max_service_name_bytes bytes: segments of [a-z0-9_-], each at least one byte,
// separated by single dots, with no dot first or last ("kernel.log", "demo.kv").

#include <base/string_view.h>
#include <base/types.h>

namespace poplar::abi {

constexpr u64 max_service_name_bytes = 64;

constexpr bool is_service_name_character(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

constexpr bool is_valid_service_name(base::StringView name) {
    if (name.is_empty() || name.length() > max_service_name_bytes) return false;
    bool segment_empty = true;
    for (char c : name) {
        if (c == '.') {
            if (segment_empty) return false;  // a leading dot, or two in a row
            segment_empty = true;
        } else if (is_service_name_character(c)) {
            segment_empty = false;
        } else {
            return false;
        }
    }
    return !segment_empty;  // no trailing dot
}

// Whether `name` lies within the scope `scope` (a valid name): it is the scope itself or a name
// below it ("demo" holds "demo" and "demo.kv", not "demos"). A task may register only within its
// scope (a ServiceScope handle: service_register, service_scope_narrow).
constexpr bool is_within_service_scope(base::StringView scope, base::StringView name) {
    if (!name.starts_with(scope)) return false;
    return name.length() == scope.length() || name[scope.length()] == '.';
}

// Names the kernel keeps for its own services ("kernel" and everything under "kernel."): user
// tasks may subscribe to them but not register them.
constexpr bool is_kernel_service_name(base::StringView name) { return name == "kernel" || name.starts_with("kernel."); }

}  // namespace poplar::abi
