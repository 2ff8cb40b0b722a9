#include <mm/heap.h>
#include <object/service_scope.h>

ServiceScope::ServiceScope(bool root, base::StringView name, base::RefPtr<ServiceScope> parent, u32 budget)
    : KernelObject(object_type),
      parent_(base::move(parent)),
      budget_(budget),
      root_(root),
      length_(static_cast<u8>(name.length())) {
    __builtin_memcpy(name_, name.data(), name.length());
    if (parent_) depth_ = parent_->depth_ + 1;
}

base::ErrorOr<base::RefPtr<ServiceScope>> ServiceScope::make_child(bool root, base::StringView name, u32 budget) {
    if (depth_ >= max_depth) return base::Error::LimitReached;
    auto* scope = new (std::nothrow) ServiceScope(root, name, base::RefPtr<ServiceScope>(this), budget);
    if (!scope) return base::Error::NoMemory;
    return base::adopt_ref(scope);
}

base::ErrorOr<base::RefPtr<ServiceScope>> ServiceScope::create_root(u32 budget) {
    auto* scope = new (std::nothrow) ServiceScope(true, {}, nullptr, budget);
    if (!scope) return base::Error::NoMemory;
    return base::adopt_ref(scope);
}

base::ErrorOr<base::RefPtr<ServiceScope>> ServiceScope::narrow(base::StringView name) {
    ASSERT(poplar::abi::is_valid_service_name(name));
    if (!allows(name)) return base::Error::AccessDenied;
    return make_child(false, name, budget_);
}

base::ErrorOr<base::RefPtr<ServiceScope>> ServiceScope::limit(u64 budget) {
    if (budget == 0 || budget > budget_) return base::Error::InvalidArgument;  // checked at full width
    return make_child(root_, name(), static_cast<u32>(budget));
}

base::ErrorOr<void> ServiceScope::charge() {
    // Up the chain (at most max_depth links); a scope at its budget undoes what was taken below it.
    for (ServiceScope* scope = this; scope; scope = scope->parent_.get()) {
        if (__atomic_add_fetch(&scope->registered_, 1, __ATOMIC_RELAXED) <= scope->budget_) continue;
        for (ServiceScope* undo = this; undo != scope->parent_.get(); undo = undo->parent_.get())
            __atomic_sub_fetch(&undo->registered_, 1, __ATOMIC_RELAXED);
        return base::Error::LimitReached;
    }
    return {};
}

void ServiceScope::release() {
    for (ServiceScope* scope = this; scope; scope = scope->parent_.get()) {
        ASSERT(__atomic_load_n(&scope->registered_, __ATOMIC_RELAXED) > 0);
        __atomic_sub_fetch(&scope->registered_, 1, __ATOMIC_RELAXED);
    }
}
