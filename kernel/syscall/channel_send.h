#pragma once

// channel_send's one non-blocking attempt, shared with the ring's channel_send operation
// (object/ring.cpp): bytes from the sender's memory (its address space must be the current one),
// no handles. ShouldWait when the peer's queue is full, PeerClosed, InvalidArgument past
// max_message_bytes, BadAddress.

#include <base/result.h>

class Task;
class Channel;

base::ErrorOr<void> channel_send_from_user(Task& sender, Channel& channel, u64 bytes, u64 byte_count);
