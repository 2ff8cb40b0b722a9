#pragma once

// What the debug echo service (debug_kernel_echo, docs/syscalls.md) says. The service is a kernel
// coroutine on a kernel-held channel end: it takes one message at a time and sends it back
// unchanged, bytes and handles, in the order received, waiting for room when the client's queue is
// full. A message that begins with a Command (its magic first) is a command as well:
//   delay  the service waits `milliseconds`, reading nothing meanwhile, then sends it back
//   close  the service waits `milliseconds`, then ends: the message is dropped and the client's
//          end sees peer_closed
// Every other message (any size, none included) is plain data and comes straight back.
//
// The service also ends when the client's end closes, when its job is cancelled (the task that
// started it ended), and when a message cannot be sent back (a send the kernel refuses, such as one
// that would put a channel end inside its own queue).

#include <base/types.h>

namespace poplar::protocols::kernel_echo {

constexpr u32 command_magic = 0x6f686365;       // "echo", little-endian
constexpr u64 max_delay_milliseconds = 60'000;  // longer waits are cut to this

enum class Action : u32 { delay = 1, close = 2 };

struct Command {
    u32 magic = command_magic;
    Action action = Action::delay;
    u64 milliseconds = 0;
};

}  // namespace poplar::protocols::kernel_echo
