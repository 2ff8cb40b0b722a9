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

}  // namespace poplar
