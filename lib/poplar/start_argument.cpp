#include <poplar/channel.h>
#include <poplar/start_argument.h>

namespace poplar {

base::StringView start_argument(const abi::StartInfo& start_info, char* buffer, usize capacity) {
    if (start_info.handle_count < 1) return {};
    auto received = sys::channel_receive(start_info.handles[0], buffer, capacity, nullptr, 0, abi::deadline_now);
    if (received.is_error()) return {};
    return base::StringView(buffer, received.value().bytes);
}

}  // namespace poplar
