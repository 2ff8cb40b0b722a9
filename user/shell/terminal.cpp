#include <poplar/service.h>
#include <poplar/syscall.h>
#include <ptah/ptah.h>

#include "terminal.h"

namespace shell {

namespace console = poplar::protocols::kernel_console;
using poplar::protocols::KernelConsole;

namespace {

base::ErrorOr<void> send(const poplar::Channel& channel, const KernelConsole::Request& request) {
    u8 bytes[console::max_write_bytes + 16];
    ptah::HandleList handles;
    auto size = TRY(ptah::to_system_result(ptah::encode(request, base::Bytes(bytes, sizeof(bytes)), handles)));
    return channel.send(base::ReadonlyBytes(bytes, size.bytes));
}

// The next reply on `channel` (it borrows from `buffer`).
base::ErrorOr<KernelConsole::Response> receive(const poplar::Channel& channel, base::Bytes buffer, u64 deadline) {
    auto sizes = TRY(channel.receive(buffer, {}, deadline));
    return ptah::to_system_result(
        ptah::decode<KernelConsole::Response>(base::ReadonlyBytes(buffer.data(), sizes.bytes), {}, {}));
}

}  // namespace

base::ErrorOr<Terminal> Terminal::open() {
    auto output = TRY(poplar::subscribe(KernelConsole::name, poplar::abi::deadline_now));
    auto input = TRY(poplar::subscribe(KernelConsole::name, poplar::abi::deadline_now));
    return Terminal(base::move(output), base::move(input));
}

void Terminal::write(base::StringView text) {
    while (!text.is_empty()) {
        usize chunk = base::min(text.length(), console::max_write_bytes);
        console::Write request{{reinterpret_cast<const u8*>(text.data()), chunk}};
        u8 reply[64];
        // A terminal that cannot be written to leaves nothing to tell: the text is lost.
        if (send(output_, request).is_error()) return;
        (void)receive(output_, base::Bytes(reply, sizeof(reply)), poplar::sys::deadline_after(1'000'000'000));
        text = text.substring(chunk);
    }
}

base::ErrorOr<void> Terminal::request_read() {
    if (read_pending_) return {};
    TRY(send(input_, console::Read{console::max_read_bytes}));
    read_pending_ = true;
    return {};
}

base::ErrorOr<usize> Terminal::take_read(base::Bytes out, u64& dropped) {
    u8 buffer[console::max_read_bytes + 64];
    auto reply = TRY(receive(input_, base::Bytes(buffer, sizeof(buffer)), poplar::abi::deadline_now));
    read_pending_ = false;
    if (reply.is<console::Refused>()) return static_cast<base::Error>(reply.get<console::Refused>().error);
    if (!reply.is<console::Data>()) return base::Error::MalformedMessage;
    const auto& data = reply.get<console::Data>();
    usize count = base::min(data.bytes.size(), out.size());
    __builtin_memcpy(out.data(), data.bytes.data(), count);
    dropped = data.dropped;
    return count;
}

}  // namespace shell
