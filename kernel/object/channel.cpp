#include <arch/paging.h>
#include <arch/user_copy.h>
#include <mm/heap.h>
#include <object/channel.h>

using namespace poplar::abi;

namespace {

// Guards every end's `container_`: the forest links ends of different pairs, so no pair's lock
// can. Taken inside a pair lock, and only around messages that carry channel ends; a write holds
// it from the forest check to the enqueue, so two writes cannot close a cycle between them.
IrqSpinLock container_lock;

class [[nodiscard]] ForestGuard {
public:
    explicit ForestGuard(bool needed) : held_(needed) {
        if (held_) restore_ = container_lock.lock();
    }
    ~ForestGuard() {
        if (held_) container_lock.unlock(restore_);
    }
    ForestGuard(const ForestGuard&) = delete;
    ForestGuard& operator=(const ForestGuard&) = delete;

private:
    bool held_;
    bool restore_ = false;
};

}  // namespace

Channel::Channel(base::RefPtr<ChannelPairLock> pair_lock)
    : KernelObject(object_type, signals::writable), pair_lock_(base::move(pair_lock)) {}

Channel::~Channel() {
    ASSERT(!container_);  // a handle in a queue holds a reference
    // An end the kernel held only by reference (it never had a handle) closes here.
    close();
}

base::ErrorOr<Channel::Pair> Channel::create_pair() {
    auto* lock = new (std::nothrow) ChannelPairLock();
    if (!lock) return base::Error::NoMemory;
    auto lock_ref = base::adopt_ref(lock);
    auto* first = new (std::nothrow) Channel(lock_ref);
    if (!first) return base::Error::NoMemory;
    auto first_ref = base::adopt_ref(first);
    auto* second = new (std::nothrow) Channel(base::move(lock_ref));
    if (!second) return base::Error::NoMemory;
    auto second_ref = base::adopt_ref(second);
    first->peer_ = second;
    second->peer_ = first;
    return Pair{base::move(first_ref), base::move(second_ref)};
}

void Channel::close() {
    {
        // The peer is unlinked and told under the pair's lock: it cannot finish its own
        // destruction meanwhile (it unlinks under the same lock, first thing). No reference is
        // taken: the peer's count may already be zero while its destructor waits for the lock.
        IrqSpinLockGuard guard(pair_lock_->lock);
        if (Channel* peer = base::exchange(peer_, nullptr)) {
            peer->peer_ = nullptr;
            peer->update_signals(signals::peer_closed, signals::writable);
            peer->wake_direct_reader();
        }
        release_calls();  // no reply can come to either end now
    }
    // After the unlink: the flush may close the peer's own last handle, and nothing may be
    // written here any more.
    flush_queue();
}

void Channel::on_zero_handles() { close(); }

void Channel::flush_queue() {
    for (;;) {
        MessagePointer message;
        {
            IrqSpinLockGuard guard(pair_lock_->lock);
            message = MessagePointer(queue_.pop_front());
            if (!message) break;
            set_container(*message.get(), nullptr, false);
            --queued_;
        }
        message.reset();  // closes the handles it carries, outside the lock
    }
    update_signals(0, signals::readable);
}

const Channel* Channel::outermost_container(usize& depth) const {
    const Channel* end = this;
    for (depth = 0; end->container_ && depth < max_nesting_depth; ++depth) end = end->container_;
    return end;
}

bool Channel::carries_channel_ends(base::Span<KernelObject* const> passengers) {
    for (KernelObject* passenger : passengers)
        if (passenger->object_type() == object_type) return true;
    return false;
}

// The forest lock is taken lazily, at the first end found, and only if the caller does not hold
// it: beyond what the analysis can follow.
void Channel::set_container(Message& message, Channel* container, bool forest_held) NO_THREAD_SAFETY_ANALYSIS {
    bool restore = false;
    bool locked = forest_held;
    for (u32 i = 0; i < message.handle_count(); ++i) {
        const auto& object = message.handles()[i].object();
        if (!object || object->object_type() != object_type) continue;
        if (!locked) {
            restore = container_lock.lock();  // only for messages that carry ends
            locked = true;
        }
        static_cast<Channel*>(object.get())->container_ = container;
    }
    if (locked && !forest_held) container_lock.unlock(restore);
}

base::ErrorOr<void> Channel::check_can_write(base::Span<KernelObject* const> passengers, bool nests,
                                             bool to_call) const {
    if (!peer_) return base::Error::PeerClosed;
    if (!to_call && peer_->queued_ >= max_queued_messages) return base::Error::ShouldWait;
    if (!nests) return {};
    // (The caller holds the forest lock.)
    // The passengers would sit in the peer's queue. Were the peer (or what holds it) among them,
    // an end would hold itself: nothing outside could ever read or close it.
    usize depth;
    const Channel* outermost = peer_->outermost_container(depth);
    if (depth + 1 > max_nesting_depth) return base::Error::LimitReached;
    for (KernelObject* passenger : passengers)
        if (passenger == outermost) return base::Error::InvalidArgument;
    return {};
}

namespace {

// Copies `bytes` into the buffer `reader` offers, if they fit: false otherwise, or for a bad
// buffer (the message is then queued or handed over, and the reader's own read says so).
[[gnu::always_inline]] inline bool copy_to_reader(ChannelReader& reader, base::ReadonlyBytes bytes) {
    if (bytes.size() > reader.byte_capacity) return false;
    if (reader.page_table_root)
        return arch::copy_to_address_space(reader.page_table_root, reader.buffer, bytes.data(), bytes.size()).is_ok();
    __builtin_memcpy(reinterpret_cast<u8*>(reader.buffer), bytes.data(), bytes.size());
    return true;
}

[[gnu::always_inline]] inline void release_and_wake(ChannelReader& reader) {
    reader.release();  // last: a reader that sees it released may read the rest
    reader.observer.notify(reader.observer);
}

}  // namespace

bool Channel::deliver_directly(base::ReadonlyBytes bytes, u64 transaction) {
    Channel* peer = peer_;
    ChannelReader* reader = peer->direct_reader_;
    if (!reader || !peer->queue_.is_empty() || !copy_to_reader(*reader, bytes)) return false;
    peer->direct_reader_ = nullptr;
    reader->delivered = true;
    reader->delivered_bytes = bytes.size();
    reader->delivered_transaction = transaction;
    release_and_wake(*reader);
    return true;
}

ChannelReader* Channel::awaiting_call(u64 transaction) const {
    // (Most messages answer no call, and most ends have none waiting: both checks are cheap.)
    if (!transaction || pair_lock_->calls.is_empty() || !peer_) return nullptr;
    for (ChannelReader& call : pair_lock_->calls)
        if (call.transaction == transaction && call.calling_end == peer_) return &call;
    return nullptr;
}

bool Channel::deliver_reply(ChannelReader& call, base::ReadonlyBytes bytes, MessagePointer* message) {
    if (message) bytes = base::ReadonlyBytes((*message)->bytes(), (*message)->byte_count());
    bool bare = !message || (*message)->handle_count() == 0;
    if (bare && copy_to_reader(call, bytes)) {
        call.delivered = true;
        call.delivered_bytes = bytes.size();
        call.delivered_transaction = call.transaction;
        if (message) message->reset();
    } else if (message) {
        call.reply = message->release();
    } else {
        return false;
    }
    pair_lock_->calls.remove(call);
    release_and_wake(call);
    return true;
}

u64 Channel::next_transaction() {
    // With no call waiting, the next value is free (0 is skipped: it means "none").
    if (pair_lock_->calls.is_empty() && pair_lock_->transaction_counter + 1 != 0)
        return ++pair_lock_->transaction_counter;
    for (;;) {
        u64 id = ++pair_lock_->transaction_counter;
        if (id == 0) continue;
        bool live = false;
        for (ChannelReader& call : pair_lock_->calls) live = live || call.transaction == id;
        if (!live) return id;
    }
}

void Channel::release_calls() {
    while (ChannelReader* call = pair_lock_->calls.pop_front()) release_and_wake(*call);
}

void Channel::enqueue(MessagePointer& message, bool nests) {
    Channel* peer = peer_;
    Message* queued = message.release();
    if (nests) set_container(*queued, peer, true);
    peer->queue_.push_back(*queued);
    if (++peer->queued_ == max_queued_messages) update_signals(0, signals::writable);
    peer->update_signals(signals::readable, 0);
    peer->wake_direct_reader();
}

base::ErrorOr<void> Channel::write(MessagePointer& message) {
    KernelObject* passengers[max_message_handles];
    u32 count = message->handle_count();
    for (u32 i = 0; i < count; ++i) passengers[i] = message->handles()[i].object().get();
    return write(message, base::Span<KernelObject* const>(passengers, count), nullptr, nullptr);
}

base::ErrorOr<void> Channel::write(MessagePointer& message, base::Span<KernelObject* const> passengers,
                                   BoardFunction board, void* context, ChannelReader* then_read) {
    IrqSpinLockGuard guard(pair_lock_->lock);
    bool nests = !passengers.is_empty() && carries_channel_ends(passengers);
    ForestGuard forest(nests);
    ChannelReader* call = awaiting_call(message->transaction());
    TRY(check_can_write(passengers, nests, call));
    if (board) board(context, *message.get());
    if (then_read && then_read->awaits_reply) {
        then_read->transaction = next_transaction();
        message->set_transaction(then_read->transaction);
    }
    if (call) {
        deliver_reply(*call, {}, &message);
    } else if (message->handle_count() == 0 && message->byte_count() <= direct_message_limit &&
               deliver_directly(base::ReadonlyBytes(message->bytes(), message->byte_count()), message->transaction())) {
        message.reset();  // its bytes went straight to the reader
    } else {
        enqueue(message, nests);
    }
    if (then_read) add_reader_locked(*then_read);
    return {};
}

base::ErrorOr<void> Channel::write_bytes(base::ReadonlyBytes bytes, ResourceAccount* account, ChannelReader* then_read,
                                         u64 transaction) {
    ASSERT(bytes.size() <= direct_message_limit);
    {
        IrqSpinLockGuard guard(pair_lock_->lock);
        ChannelReader* call = awaiting_call(transaction);
        TRY(check_can_write({}, false, call));
        bool calls = then_read && then_read->awaits_reply;
        // (Should the bytes not go now, the write below gives the call another id.)
        u64 id = calls ? next_transaction() : transaction;
        if (call ? deliver_reply(*call, bytes, nullptr) : deliver_directly(bytes, id)) {
            if (calls) then_read->transaction = id;
            if (then_read) add_reader_locked(*then_read);
            return {};
        }
    }
    return queue_bytes(bytes, account, then_read, transaction);
}

base::ErrorOr<void> Channel::queue_bytes(base::ReadonlyBytes bytes, ResourceAccount* account, ChannelReader* then_read,
                                         u64 transaction) {
    MessagePointer message = TRY(Message::create(static_cast<u32>(bytes.size()), 0, account));
    __builtin_memcpy(message->bytes(), bytes.data(), bytes.size());
    message->set_transaction(transaction);
    return write(message, {}, nullptr, nullptr, then_read);
}

base::ErrorOr<MessagePointer> Channel::read(ReadLimits limits, ReadLimits* needed) {
    IrqSpinLockGuard guard(pair_lock_->lock);
    Message* head = queue_.front();
    if (!head) return peer_ ? base::Error::ShouldWait : base::Error::PeerClosed;
    if (head->byte_count() > limits.bytes || head->handle_count() > limits.handles) {
        if (needed) *needed = {head->byte_count(), head->handle_count()};
        return base::Error::BufferTooSmall;
    }
    queue_.pop_front();
    if (head->handle_count()) set_container(*head, nullptr, false);
    if (queued_-- == max_queued_messages && peer_) peer_->update_signals(signals::writable, 0);
    if (queue_.is_empty()) update_signals(0, signals::readable);
    return MessagePointer(head);
}

void Channel::unread(MessagePointer message) {
    IrqSpinLockGuard guard(pair_lock_->lock);
    unread_locked(message);
}

MessagePointer Channel::unread_reply(MessagePointer message) {
    IrqSpinLockGuard guard(pair_lock_->lock);
    if (queued_ >= max_queued_messages) return message;
    unread_locked(message);
    return {};
}

void Channel::unread_locked(MessagePointer& message) {
    Message* returned = message.release();
    set_container(*returned, this, false);
    queue_.push_front(*returned);
    // It may take the queue one past its limit, if a writer filled the gap meanwhile.
    if (++queued_ >= max_queued_messages && peer_) peer_->update_signals(0, signals::writable);
    update_signals(signals::readable, 0);
    wake_direct_reader();  // one may have come while the message was out: it is queued now
}

void Channel::add_reader(ChannelReader& reader) {
    IrqSpinLockGuard guard(pair_lock_->lock);
    add_reader_locked(reader);
}

void Channel::add_reader_locked(ChannelReader& reader) {
    reader.delivered = false;
    reader.delivered_transaction = 0;
    reader.released = false;
    if (reader.awaits_reply) {
        // It waits for its reply alone (the write that sent its request gave it the id).
        reader.reply = nullptr;
        reader.calling_end = this;
        pair_lock_->calls.push_back(reader);
        return;
    }
    // The direct reader is woken by the channel itself (wake_direct_reader); others watch the
    // signals (the object's lock nests inside the pair's).
    if (reader.byte_capacity && !direct_reader_)
        direct_reader_ = &reader;
    else
        add_observer(reader.observer);
}

void Channel::remove_reader(ChannelReader& reader) {
    {
        IrqSpinLockGuard guard(pair_lock_->lock);
        if (direct_reader_ == &reader) {
            direct_reader_ = nullptr;
            return;
        }
    }
    remove_observer(reader.observer);
}

bool Channel::remove_call(ChannelReader& reader) {
    IrqSpinLockGuard guard(pair_lock_->lock);
    if (!reader.call_node.is_linked()) return false;
    pair_lock_->calls.remove(reader);
    return true;
}

void Channel::wake_direct_reader() {
    if (ChannelReader* reader = base::exchange(direct_reader_, nullptr)) {
        reader->release();  // it looks again, and waits again if it must
        reader->observer.notify(reader->observer);
    }
}
