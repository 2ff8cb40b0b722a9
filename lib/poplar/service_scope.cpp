#include <poplar/runtime.h>
#include <poplar/service_scope.h>

namespace poplar {

HandleValue service_scope() {
    const abi::StartInfo& start = start_info();
    u32 count = start.handle_count < abi::StartInfo::max_handles ? start.handle_count : abi::StartInfo::max_handles;
    for (u32 i = 0; i < count; ++i) {
        auto info = sys::handle_info(start.handles[i]);
        if (info.is_ok() && info.value().object_type == ObjectType::ServiceScope) return start.handles[i];
    }
    return abi::invalid_handle;
}

base::ErrorOr<Handle> duplicate_service_scope() {
    HandleValue scope = service_scope();
    if (scope == abi::invalid_handle) return Handle();
    auto info = TRY(sys::handle_info(scope));
    return Handle(TRY(sys::handle_duplicate(scope, info.rights)));
}

}  // namespace poplar
