#include <poplar/channel.h>
#include <poplar/start_argument.h>

namespace poplar {

base::StringView start_argument(const abi::StartInfo& start_info, char* buffer, usize capacity) {
    if (start_info.handle_count < 1) return {};
    auto received = sys::channel_receive(start_info.handles[0], buffer, capacity, nullptr, 0, abi::deadline_now);
    if (received.is_error()) return {};
    return base::StringView(buffer, received.value().bytes);
}

base::ErrorOr<StartedProgram> spawn_with_argument(base::StringView module, base::StringView argument, Handle scope) {
    auto pair = TRY(Channel::create());
    TRY(pair.first.send(base::ReadonlyBytes(reinterpret_cast<const u8*>(argument.data()), argument.length())));
    Handle handles[2] = {base::move(pair.second), base::move(scope)};
    usize count = handles[1] ? 2 : 1;
    return StartedProgram{TRY(Task::spawn(module, base::Span<Handle>(handles, count))), base::move(pair.first)};
}

}  // namespace poplar
