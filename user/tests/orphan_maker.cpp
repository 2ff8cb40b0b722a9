// A partner for hardening_test: spawns a spinner, sends the spinner's task handle back on its
// first start handle (a channel), and exits without waiting for it.

#include <poplar/channel.h>
#include <poplar/start.h>
#include <poplar/task.h>

int main(const poplar::abi::StartInfo& start_info) {
    if (start_info.handle_count < 1) return 3;
    poplar::Channel channel(start_info.handles[0]);
    auto spinner = poplar::Task::spawn("spinner");
    if (spinner.is_error()) return 4;
    poplar::Handle handles[1] = {base::move(spinner.value())};
    u8 byte = 0;
    return channel.send(base::ReadonlyBytes(&byte, 1), base::Span<poplar::Handle>(handles)).is_ok() ? 0 : 5;
}
