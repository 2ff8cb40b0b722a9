#include <mm/heap.h>
#include <object/service_scope.h>

ServiceScope::ServiceScope(bool root, base::StringView name)
    : KernelObject(object_type), root_(root), length_(static_cast<u8>(name.length())) {
    __builtin_memcpy(name_, name.data(), name.length());
}

base::ErrorOr<base::RefPtr<ServiceScope>> ServiceScope::create_root() {
    auto* scope = new (std::nothrow) ServiceScope(true, {});
    if (!scope) return base::Error::NoMemory;
    return base::adopt_ref(scope);
}

base::ErrorOr<base::RefPtr<ServiceScope>> ServiceScope::narrow(base::StringView name) const {
    ASSERT(poplar::abi::is_valid_service_name(name));
    if (!allows(name)) return base::Error::AccessDenied;
    auto* scope = new (std::nothrow) ServiceScope(false, name);
    if (!scope) return base::Error::NoMemory;
    return base::adopt_ref(scope);
}
