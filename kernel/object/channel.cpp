#include <arch/arch.h>
#include <mm/heap.h>
#include <object/channel.h>
#include <sched/scheduler.h>

using namespace poplar::abi;

Channel::Channel() : KernelObject(object_type, signals::writable) {}

Channel::~Channel() {
    ASSERT(!container_);  // a handle in a queue holds a reference
    // An end the kernel held only by reference (it never had a handle) closes here.
    close();
}

void Channel::close() {
    {
        // The peer is unlinked and told under the guard: it cannot finish its own destruction
        // meanwhile (it unlinks under the guard too, first thing), and its direct receiver lives
        // on a stack that may be gone once the guard is. No reference is taken: the peer's count
        // may already be zero while its destructor waits for the guard.
        arch::InterruptGuard guard;
        if (Channel* peer = base::exchange(peer_, nullptr)) {
            peer->peer_ = nullptr;
            peer->update_signals(signals::peer_closed, signals::writable);
            peer->wake_direct_receiver();
        }
    }
    // After the unlink: the flush may close the peer's own last handle, and nothing may be sent
    // here any more.
    flush_queue();
}

base::ErrorOr<Channel::Pair> Channel::create_pair() {
    auto* first = new (std::nothrow) Channel();
    if (!first) return base::Error::NoMemory;
    auto first_ref = base::adopt_ref(first);
    auto* second = new (std::nothrow) Channel();
    if (!second) return base::Error::NoMemory;
    auto second_ref = base::adopt_ref(second);
    first->peer_ = second;
    second->peer_ = first;
    return Pair{base::move(first_ref), base::move(second_ref)};
}

const Channel* Channel::outermost_container(usize& depth) const {
    const Channel* end = this;
    for (depth = 0; end->container_ && depth < max_nesting_depth; ++depth) end = end->container_;
    return end;
}

base::ErrorOr<void> Channel::check_can_send(base::Span<KernelObject* const> passengers) const {
    if (!peer_) return base::Error::PeerClosed;
    if (peer_->queued_ >= max_queued_messages) return base::Error::ShouldWait;
    bool carries_channels = false;
    for (KernelObject* passenger : passengers) carries_channels |= passenger->object_type() == object_type;
    if (!carries_channels) return {};
    // The passengers would sit in the peer's queue. Were the peer (or what holds it) among them,
    // an end would hold itself: nothing outside could ever read or close it.
    usize depth;
    const Channel* outermost = peer_->outermost_container(depth);
    if (depth + 1 > max_nesting_depth) return base::Error::LimitReached;
    for (KernelObject* passenger : passengers)
        if (passenger == outermost) return base::Error::InvalidArgument;
    return {};
}

void Channel::set_container(Message& message, Channel* container) {
    for (u32 i = 0; i < message.handle_count(); ++i) {
        const auto& object = message.handles()[i].object();
        if (object && object->object_type() == object_type) static_cast<Channel*>(object.get())->container_ = container;
    }
}

base::ErrorOr<void> Channel::send(Message* message) {
    arch::InterruptGuard guard;
    KernelObject* passengers[poplar::abi::max_message_handles];
    for (u32 i = 0; i < message->handle_count(); ++i) passengers[i] = message->handles()[i].object().get();
    TRY(check_can_send(base::Span<KernelObject* const>(passengers, message->handle_count())));
    enqueue_checked(*message);
    return {};
}

void Channel::enqueue_checked(Message& message) {
    ASSERT(!arch::interrupts_enabled() && peer_);
    Channel* peer = peer_;
    set_container(message, peer);
    peer->queue_.push_back(message);
    if (++peer->queued_ == max_queued_messages) update_signals(0, signals::writable);
    peer->update_signals(signals::readable, 0);
    peer->wake_direct_receiver();
}

base::ErrorOr<Message*> Channel::peek() {
    arch::InterruptGuard guard;
    if (Message* message = queue_.front()) return message;
    return peer_ ? base::Error::ShouldWait : base::Error::PeerClosed;
}

base::ErrorOr<MessagePointer> Channel::read() {
    arch::InterruptGuard guard;
    if (queue_.is_empty()) return peer_ ? base::Error::ShouldWait : base::Error::PeerClosed;
    return MessagePointer(pop());
}

Message* Channel::pop() {
    arch::InterruptGuard guard;
    Message* message = queue_.pop_front();
    ASSERT(message);
    set_container(*message, nullptr);
    if (queued_-- == max_queued_messages && peer_) peer_->update_signals(signals::writable, 0);
    if (queue_.is_empty()) update_signals(0, signals::readable);
    return message;
}

void Channel::flush_queue() {
    for (;;) {
        Message* message;
        {
            arch::InterruptGuard guard;
            message = queue_.pop_front();
            if (!message) break;
            set_container(*message, nullptr);
            --queued_;
        }
        Message::destroy(message);  // closes the handles it carries, outside the guard
    }
    update_signals(0, signals::readable);
}

void Channel::on_zero_handles() { close(); }

bool Channel::offer_direct_receiver(DirectReceiver& receiver) {
    if (direct_receiver_) return false;  // one at a time; others take the normal path
    direct_receiver_ = &receiver;
    return true;
}

void Channel::withdraw_direct_receiver(DirectReceiver& receiver) {
    if (direct_receiver_ == &receiver) direct_receiver_ = nullptr;
}

DirectReceiver* Channel::take_peer_direct_receiver(u64 byte_count) {
    Channel* peer = peer_;
    if (!peer || !peer->queue_.is_empty()) return nullptr;
    DirectReceiver* receiver = peer->direct_receiver_;
    if (!receiver || byte_count > receiver->byte_capacity) return nullptr;
    peer->direct_receiver_ = nullptr;
    return receiver;
}

base::ErrorOr<void> Channel::offer_peer_direct_receiver_back(DirectReceiver& receiver) {
    if (!peer_ || !peer_->offer_direct_receiver(receiver)) return base::Error::BadState;
    return {};
}

void Channel::wake_direct_receiver() {
    if (direct_receiver_) sched::wake(*direct_receiver_->thread);
}
