#pragma once

// One channel message: bytes and handles in a single allocation.

#include <base/intrusive_list.h>
#include <base/result.h>
#include <object/handle.h>

class Message {
public:
    // Room for `byte_count` bytes and `handle_count` (empty) handles; NoMemory if it cannot be had.
    static base::ErrorOr<Message*> create(u32 byte_count, u32 handle_count);
    static void destroy(Message* message);

    u32 byte_count() const { return byte_count_; }
    u32 handle_count() const { return handle_count_; }
    u8* bytes() { return reinterpret_cast<u8*>(handles() + handle_count_); }
    Handle* handles() { return reinterpret_cast<Handle*>(this + 1); }

    base::ListNode node;

private:
    Message(u32 byte_count, u32 handle_count) : byte_count_(byte_count), handle_count_(handle_count) {}
    ~Message() = default;

    u32 byte_count_;
    u32 handle_count_;
};

using MessageQueue = base::IntrusiveList<Message, &Message::node>;
