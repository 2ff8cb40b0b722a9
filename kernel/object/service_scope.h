#pragma once

// The right to register service names, as a capability (docs/services.md, "Names and rights"): a
// scope handle names a part of the name space, the whole of it (the root, which init receives at
// boot) or one name and the names below it. service_register needs one whose scope allows the
// name; service_scope_narrow makes a narrower one from it. Nothing widens a scope, so a task can
// hand on no more of the name space than it was given. `kernel.` names are the kernel's whatever
// the scope.
//
// A scope also has a budget: how many live registrations may be made through it and the scopes
// made from it (narrowed or limited). A registration is charged to its scope and to every scope
// that one was made from, up to the root, so a subtree handed a limited scope (init gives each
// program one) cannot fill the registry for everyone, however many children it spreads the
// scope over. service_scope_limit makes a scope with a smaller budget and the same names.
//
// The names and the budget never change once made; the count of registrations is atomic.

#include <base/string_view.h>
#include <object/kernel_object.h>
#include <poplar/abi/service_name.h>

class ServiceScope final : public KernelObject {
public:
    static constexpr ObjectType object_type = ObjectType::ServiceScope;

    // How many times a scope may be narrowed or limited, counting from the root: the chain is
    // walked to charge a registration and dropped link by link, so its length must be bounded.
    static constexpr u32 max_depth = 8;

    // The whole name space, with a budget of `budget` registrations (the registry's size).
    static base::ErrorOr<base::RefPtr<ServiceScope>> create_root(u32 budget);
    // A scope within `name` (a valid name), drawing on this one's budget: AccessDenied unless this
    // scope allows the name; LimitReached past max_depth.
    base::ErrorOr<base::RefPtr<ServiceScope>> narrow(base::StringView name);
    // The same names with a budget of `budget` registrations, drawing on this one's:
    // InvalidArgument for 0 or more than this scope's own budget; LimitReached past max_depth.
    base::ErrorOr<base::RefPtr<ServiceScope>> limit(u64 budget);

    // One registration through this scope: charged to it and every scope it was made from;
    // LimitReached, with nothing charged, when one of them is at its budget.
    base::ErrorOr<void> charge();
    // Gives back one registration charge() took.
    void release();
    u32 budget() const { return budget_; }

    ObjectType type() const override { return object_type; }

    bool is_root() const { return root_; }
    base::StringView name() const { return base::StringView(name_, length_); }
    // Whether a user task holding this scope may register `service` (a valid name).
    bool allows(base::StringView service) const {
        if (poplar::abi::is_kernel_service_name(service)) return false;
        return root_ || poplar::abi::is_within_service_scope(name(), service);
    }

private:
    ServiceScope(bool root, base::StringView name, base::RefPtr<ServiceScope> parent, u32 budget);
    base::ErrorOr<base::RefPtr<ServiceScope>> make_child(bool root, base::StringView name, u32 budget);

    base::RefPtr<ServiceScope> parent_;  // the scope this one was made from (null for the root)
    u32 budget_;
    u32 depth_ = 0;       // links from the root
    u32 registered_ = 0;  // live registrations charged to it (atomic)
    bool root_;
    u8 length_;
    char name_[poplar::abi::max_service_name_bytes] = {};
};
