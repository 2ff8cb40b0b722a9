#include <poplar/task.h>

namespace poplar {

base::ErrorOr<Task> Task::spawn(base::StringView module, base::Span<Handle> handles) {
    HandleValue values[abi::StartInfo::max_handles];
    if (handles.size() > abi::StartInfo::max_handles) return base::Error::InvalidArgument;
    for (usize i = 0; i < handles.size(); ++i) values[i] = handles[i].value();
    auto task = TRY(sys::task_spawn(module.data(), module.length(), values, handles.size()));
    for (auto& handle : handles) (void)handle.release();
    return Task(task);
}

}  // namespace poplar
