#pragma once

// What fast_path_test and its helper fast_path_receiver say to each other. The helper's first start
// handle is a channel; the first message on it is an Order. In every role the helper blocks in
// channel_receive on that channel while the test sends to it, so that the kernel's IPC fast path
// (a small message without handles copied straight into the waiting receiver's buffer) is tried.

#include <base/types.h>

namespace fast_path {

enum class Role : u8 {
    // Says "ready", waits for one 32-byte message in a bad buffer (`buffer`), then receives again
    // into a good one without waiting, and replies with an Attempt.
    bad_buffer,
    // Receives Sequenced messages for good (no deadline), keeping a Tally in the memory object that
    // is its second start handle. Says "ready" first.
    count,
    // The same with short random deadlines, retrying after each TimedOut, until PeerClosed.
    count_with_deadlines,
};

enum class Buffer : u8 {
    unmapped,   // a page the receiver has just unmapped
    read_only,  // a read-only mapping of a zeroed memory object
    too_small,  // 8 bytes of good memory
};

struct Order {
    Role role;
    Buffer buffer;
};

constexpr u64 payload_bytes = 32;

struct Attempt {
    u64 entered_at;    // clock_read just before the waiting receive
    u32 waited_error;  // its status (0: ok)
    u32 later_error;   // the receive with a good buffer that followed
    u64 needed_bytes;  // BufferTooSmall's sizes, from the waiting receive
    u64 later_bytes;   // what the later receive got
    u8 later_payload[payload_bytes];
    bool buffer_intact;  // a read-only buffer still reads as zeros
};

struct Sequenced {
    u64 sequence;  // 1, 2, 3...
    u64 check;     // ~sequence
};

struct Tally {
    u64 received;      // messages received
    u64 last;          // the last sequence number seen
    u64 out_of_order;  // messages that were not the one after the last (lost, repeated, corrupt)
    u64 timed_out;     // receives that ended TimedOut (count_with_deadlines)
    u64 late;          // receives that returned a message after their deadline had passed
};

}  // namespace fast_path
