// A helper spawned by spawn_test and the benchmark. Its first start handle is a channel; every
// message received on it is sent back unchanged, handles included, except for commands:
//   "!exit N"  exit with status N (a decimal, possibly negative)
//   "!info"    reply "handles=N name=NAME" carrying the other start handles
//   "!spin"    run for about 20 ms of CPU time, then echo
// It exits 0 when the peer goes away, and with 3-5 when something unexpected happens.

#include <base/string_view.h>
#include <poplar/channel.h>
#include <poplar/print.h>
#include <poplar/start.h>

#include "parse_integer.h"

using base::StringView;

namespace {

// Two buffers, used in turn: a reply goes out of one while the next request arrives in the other.
u8 buffers[2][poplar::abi::max_message_bytes];
poplar::Handle received[poplar::abi::max_message_handles];

void spin_for(u64 nanoseconds) {
    u64 end = poplar::sys::clock_read() + nanoseconds;
    while (poplar::sys::clock_read() < end) asm volatile("pause");
}

}  // namespace

int main(const poplar::abi::StartInfo& start_info) {
    if (start_info.handle_count < 1) return 3;
    poplar::Channel channel(start_info.handles[0]);
    poplar::Handle extra[poplar::abi::StartInfo::max_handles];
    u32 extra_count = 0;
    for (u32 i = 1; i < start_info.handle_count && i < poplar::abi::StartInfo::max_handles; ++i)
        extra[extra_count++].reset(start_info.handles[i]);

    // Each reply goes out with the same system call that waits for the next request
    // (channel_reply_receive), answering the request's transaction.
    usize current = 0;
    auto sizes = channel.receive(base::Bytes(buffers[current]), base::Span<poplar::Handle>(received));
    for (;;) {
        u8* buffer = buffers[current];
        if (sizes.is_error()) return sizes.error() == base::Error::PeerClosed ? 0 : 4;
        StringView text(reinterpret_cast<const char*>(buffer), sizes.value().bytes);
        base::ReadonlyBytes reply(buffer, sizes.value().bytes);
        base::Span<poplar::Handle> reply_handles(received, sizes.value().handles);

        if (text.starts_with("!exit ")) return static_cast<int>(usertest::parse_integer(text.substring(6)));
        char info[128];
        if (text == "!info") {
            StringView name(start_info.name,
                            base::min<usize>(base::string_length(start_info.name), poplar::abi::max_name_bytes));
            StringView line = base::format_to(info, sizeof(info), "handles={} name={}", start_info.handle_count, name);
            reply = base::ReadonlyBytes(reinterpret_cast<const u8*>(line.data()), line.length());
            reply_handles = base::Span<poplar::Handle>(extra, extra_count);
        }
        if (text == "!spin") spin_for(20'000'000);
        current ^= 1;
        sizes = channel.reply_and_receive(sizes.value(), reply, reply_handles, base::Bytes(buffers[current]),
                                          base::Span<poplar::Handle>(received));
    }
}
