#pragma once

// One channel message: bytes and handles in a single allocation.

#include <base/intrusive_list.h>
#include <base/result.h>
#include <object/handle.h>
#include <object/resource_account.h>

class MessagePointer;

class Message {
public:
    // Each handle a message carries is charged as this many bytes: it keeps an object alive (a
    // dead task, a channel end, an event) that no other quota counts while it is in flight.
    static constexpr u64 bytes_charged_per_handle = 512;

    // Room for `byte_count` bytes and `handle_count` (empty) handles; NoMemory if it cannot be had.
    // A message a task sends is charged to its account (if given) until the message is destroyed.
    static base::ErrorOr<MessagePointer> create(u32 byte_count, u32 handle_count, ResourceAccount* account = nullptr);
    static void destroy(Message* message);

    u32 byte_count() const { return byte_count_; }
    // Keeps only the first `byte_count` bytes (a message made as a buffer, then partly filled).
    void shrink_to(u32 byte_count) {
        ASSERT(byte_count <= byte_count_ && !account_);
        byte_count_ = byte_count;
    }
    u32 handle_count() const { return handle_count_; }
    u8* bytes() { return reinterpret_cast<u8*>(handles() + handle_count_); }
    Handle* handles() { return reinterpret_cast<Handle*>(this + 1); }
    // Outside the bytes (they stay Ptah's): 0, or the call this message is the request of or
    // the reply to (docs/async-syscalls.md, "Transactions").
    u64 transaction() const { return transaction_; }
    void set_transaction(u64 transaction) { transaction_ = transaction; }

    base::ListNode node;

private:
    Message(u32 byte_count, u32 handle_count, base::RefPtr<ResourceAccount> account)
        : byte_count_(byte_count), handle_count_(handle_count), account_(base::move(account)) {}
    ~Message();

    u32 byte_count_;
    u32 handle_count_;
    u64 transaction_ = 0;
    base::RefPtr<ResourceAccount> account_;
};

using MessageQueue = base::IntrusiveList<Message, &Message::node>;

// Owns a message that is on no queue (being built, or taken off a channel): destroys it unless
// released. A queue owns the messages on it; they move between the two only through a channel.
class MessagePointer {
public:
    MessagePointer() = default;
    explicit MessagePointer(Message* message) : message_(message) {}
    MessagePointer(MessagePointer&& other) : message_(base::exchange(other.message_, nullptr)) {}
    MessagePointer& operator=(MessagePointer&& other) {
        if (this != &other) {
            reset();
            message_ = base::exchange(other.message_, nullptr);
        }
        return *this;
    }
    ~MessagePointer() { reset(); }
    Message* operator->() const { return message_; }
    Message* get() const { return message_; }
    explicit operator bool() const { return message_ != nullptr; }
    Message* release() { return base::exchange(message_, nullptr); }
    void reset() {
        if (message_) Message::destroy(base::exchange(message_, nullptr));
    }

private:
    Message* message_ = nullptr;
};
