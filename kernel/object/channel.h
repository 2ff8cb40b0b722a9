#pragma once

// One end of a channel. Each end owns the queue of messages sent *to* it; sending appends to the
// peer's queue. When an end's handle closes, its queue is flushed and the peer sees peer_closed.
//
// An end has exactly one handle (ends cannot be duplicated), so an end sent through a channel
// sits in exactly one queue: its `container`. Following containers leads to an end held outside
// any queue (a task's, or the kernel's). A send that would make an end contain itself, directly
// or through other ends, is refused: ends in flight form a forest, never a cycle, so nothing can
// keep itself alive. The depth of that forest is bounded, so the walk is too.

#include <base/span.h>
#include <object/kernel_object.h>
#include <object/message.h>

class Thread;

// A thread blocked receiving on a channel end, offering its buffer so that a small message can be
// copied straight into it, with no message allocated or queued (the IPC fast path). It lives on
// the receiver's kernel stack while it waits, and the channel wakes it for anything else it would
// have to see (a queued message, the peer closing).
struct DirectReceiver {
    Thread* thread;
    u64 page_table_root;  // the receiver's address space
    u64 bytes;            // its buffer, a user address in that address space
    u64 byte_capacity;
    bool delivered = false;
    u64 sizes = 0;  // packed, as channel_receive returns them
};

class Channel final : public KernelObject {
public:
    static constexpr usize direct_message_limit = 256;

    static constexpr ObjectType object_type = ObjectType::Channel;
    static constexpr usize max_queued_messages = 64;
    // How deep ends may nest, each in the queue of the one before (LimitReached beyond).
    static constexpr usize max_nesting_depth = 4096;

    struct Pair {
        base::RefPtr<Channel> first, second;
    };
    static base::ErrorOr<Pair> create_pair();
    ~Channel() override;
    ObjectType type() const override { return object_type; }

    // Whether a message carrying `passengers` (the objects its handles name) could be queued at
    // the peer now: the peer is open, its queue has room, and no channel end among the
    // passengers would end up inside itself or too deep.
    base::ErrorOr<void> check_can_send(base::Span<KernelObject* const> passengers = {}) const;

    // Queues `message` at the peer. On error the message stays with the caller.
    base::ErrorOr<void> send(Message* message);
    // Queues `message` at the peer, which check_can_send (with its handles' objects) has just
    // allowed, under the same interrupt guard: the system call moves the handles in between.
    void enqueue_checked(Message& message);

    // The message at the head of this end's queue, or ShouldWait / PeerClosed.
    base::ErrorOr<Message*> peek();
    // Takes the message at the head of the queue (ShouldWait / PeerClosed when there is none),
    // in one step: two readers never both see the same head.
    base::ErrorOr<MessagePointer> read();
    // Removes the head (after a successful peek and delivery).
    Message* pop();

    // Receivers offering direct delivery (interrupts off for all three).
    bool offer_direct_receiver(DirectReceiver& receiver);
    void withdraw_direct_receiver(DirectReceiver& receiver);
    // The peer's waiting receiver, if a message of `byte_count` bytes and no handles can go
    // straight to it now (the peer's queue is empty, so order is kept). Removes the offer.
    DirectReceiver* take_peer_direct_receiver(u64 byte_count);
    // Undoes take_peer_direct_receiver when the direct copy could not be made.
    base::ErrorOr<void> offer_peer_direct_receiver_back(DirectReceiver& receiver);

protected:
    void on_zero_handles() override;

private:
    Channel();
    // A receiver offering direct delivery waits without a signal observer: whatever would raise
    // `readable` or `peer_closed` at this end wakes it directly.
    void wake_direct_receiver();
    // Ends this end: the peer sees peer_closed, and the queue is flushed.
    void close();
    void flush_queue();
    // The end held outside any queue that (through containers) holds this one, and how many
    // containers away it is. The walk stops after max_nesting_depth containers.
    const Channel* outermost_container(usize& depth) const;
    // Records, for the channel ends a message carries, which queue they now sit in (or none).
    static void set_container(Message& message, Channel* container);

    Channel* peer_ = nullptr;       // cleared when either end closes
    Channel* container_ = nullptr;  // the end whose queue holds this end's handle, if any
    DirectReceiver* direct_receiver_ = nullptr;
    MessageQueue queue_;
    usize queued_ = 0;
};
