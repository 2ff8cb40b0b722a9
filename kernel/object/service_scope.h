#pragma once

// Where a task may register services (task_set_service_scope): everywhere (the root: init's),
// within one name (that name and the names below it), or nowhere. A new task gets its spawner's;
// a task can only narrow its own or, holding `manage` on another, set that one's within its own.
// So nobody can give itself, or anyone, more of the name space than its spawner had.

#include <base/string_view.h>
#include <poplar/abi/service_name.h>

struct ServiceScope {
    enum class Kind : u8 { none, root, within };
    Kind kind = Kind::none;
    u8 length = 0;
    char name[poplar::abi::max_service_name_bytes] = {};

    static ServiceScope root() { return ServiceScope{Kind::root, 0, {}}; }
    // `scope`: a valid name.
    static ServiceScope within(base::StringView scope) {
        ServiceScope result{Kind::within, static_cast<u8>(scope.length()), {}};
        __builtin_memcpy(result.name, scope.data(), scope.length());
        return result;
    }

    base::StringView view() const { return base::StringView(name, length); }
    bool allows(base::StringView service) const {
        if (kind == Kind::root) return true;
        return kind == Kind::within && poplar::abi::is_within_service_scope(view(), service);
    }
    // Whether `other` gives no more than this one.
    bool covers(const ServiceScope& other) const {
        if (other.kind == Kind::none) return true;
        if (other.kind == Kind::root) return kind == Kind::root;
        return allows(other.view());
    }
};
