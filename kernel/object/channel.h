#pragma once

// One end of a channel. Each end owns the queue of messages sent *to* it; sending appends to the
// peer's queue. When an end's last handle closes, its queue is flushed (closing the handles in
// it, which breaks reference cycles through queued channel ends) and the peer sees peer_closed.

#include <object/kernel_object.h>
#include <object/message.h>

class Channel final : public KernelObject {
public:
    static constexpr ObjectType object_type = ObjectType::Channel;
    static constexpr usize max_queued_messages = 64;

    struct Pair {
        base::RefPtr<Channel> first, second;
    };
    static base::ErrorOr<Pair> create_pair();
    ~Channel() override;
    ObjectType type() const override { return object_type; }

    // Whether a send would succeed now: the peer is open and its queue has room.
    base::ErrorOr<void> check_can_send() const;

    // Queues `message` at the peer. On error the message stays with the caller.
    base::ErrorOr<void> send(Message* message);

    // The message at the head of this end's queue, or ShouldWait / PeerClosed.
    base::ErrorOr<Message*> peek();
    // Removes the head (after a successful peek and delivery).
    Message* pop();

    bool is_peer(const KernelObject& object) const { return peer_ == &object; }

protected:
    void on_zero_handles() override;

private:
    Channel();
    void flush_queue();
    void update_readable();

    Channel* peer_ = nullptr;  // cleared when either end closes
    MessageQueue queue_;
    usize queued_ = 0;
};
