#pragma once

// The right to register service names, as a capability (docs/services.md, "Names and rights"): a
// scope handle names a part of the name space, the whole of it (the root, which init receives at
// boot) or one name and the names below it. service_register needs one whose scope allows the
// name; service_scope_narrow makes a narrower one from it. Nothing widens a scope, so a task can
// hand on no more of the name space than it was given. `kernel.` names are the kernel's whatever
// the scope.
//
// Immutable once made: no lock.

#include <base/string_view.h>
#include <object/kernel_object.h>
#include <poplar/abi/service_name.h>

class ServiceScope final : public KernelObject {
public:
    static constexpr ObjectType object_type = ObjectType::ServiceScope;

    static base::ErrorOr<base::RefPtr<ServiceScope>> create_root();
    // A scope within `name` (a valid name): AccessDenied unless this scope allows it.
    base::ErrorOr<base::RefPtr<ServiceScope>> narrow(base::StringView name) const;

    ObjectType type() const override { return object_type; }

    bool is_root() const { return root_; }
    base::StringView name() const { return base::StringView(name_, length_); }
    // Whether a user task holding this scope may register `service` (a valid name).
    bool allows(base::StringView service) const {
        if (poplar::abi::is_kernel_service_name(service)) return false;
        return root_ || poplar::abi::is_within_service_scope(name(), service);
    }

private:
    ServiceScope(bool root, base::StringView name);

    bool root_;
    u8 length_;
    char name_[poplar::abi::max_service_name_bytes] = {};
};
