#pragma once

// A small client of kernel.services (poplar/protocols/kernel_services.h) for the tests: requests
// encoded and replies decoded by hand, so that a test can also leave a request unanswered (a
// Watch) or send garbage.

#include <base/string_view.h>
#include <poplar/arena.h>
#include <poplar/channel.h>
#include <poplar/protocols/kernel_services.h>
#include <poplar/syscall.h>
#include <ptah/ptah.h>

namespace usertest::kernel_services {

namespace protocol = poplar::protocols::kernel_services;
using poplar::protocols::KernelServices;

// Decoded replies' vectors come from here; each receive starts it afresh (one reply alive at a time).
using Arena = poplar::Arena<16 * 1024>;

inline base::ErrorOr<poplar::Channel> open_session() {
    base::StringView name = KernelServices::name;
    return poplar::Channel(TRY(poplar::sys::service_subscribe(name.data(), name.length(), poplar::abi::deadline_now)));
}

inline base::ErrorOr<void> send(const poplar::Channel& session, const KernelServices::Request& request) {
    u8 bytes[64];
    ptah::HandleList handles;
    auto size = TRY(ptah::to_system_result(ptah::encode(request, base::Bytes(bytes, sizeof(bytes)), handles)));
    return session.send(base::ReadonlyBytes(bytes, size.bytes));
}

// The next reply, decoded (it borrows from `buffer`, which must hold max_message_bytes, and from
// `arena`); TimedOut when none comes by the deadline, MalformedMessage when it does not decode.
inline base::ErrorOr<KernelServices::Response> receive(const poplar::Channel& session, u8* buffer, Arena& arena,
                                                       u64 deadline) {
    auto sizes = TRY(session.receive(base::Bytes(buffer, poplar::abi::max_message_bytes), {}, deadline));
    arena.reset();
    ptah::DecodeOptions options{&arena, {}};
    return ptah::to_system_result(
        ptah::decode<KernelServices::Response>(base::ReadonlyBytes(buffer, sizes.bytes), {}, options));
}

}  // namespace usertest::kernel_services
