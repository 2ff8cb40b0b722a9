#pragma once

// A client of the kernel's services for the tests: poplar::PtahChannel with a two-second timeout
// (a missing reply is TimedOut rather than a hang); and a small arena for decoded replies
// that own memory (pages of tasks, lists of exits).

#include <poplar/arena.h>
#include <poplar/channel.h>
#include <poplar/protocols/object_type.h>
#include <poplar/ptah_channel.h>
#include <ptah/allocator.h>
#include <ptah/ptah.h>

namespace usertest {

// poplar::PtahChannel with the tests' default timeout.
struct KernelClientChannel : poplar::PtahChannel {
    KernelClientChannel(const poplar::Channel& channel, u64 timeout = 2'000'000'000) : PtahChannel(channel, timeout) {}
};

using Arena = poplar::Arena<16 * 1024>;

}  // namespace usertest
