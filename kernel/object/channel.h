#pragma once

// One end of a channel. Each end owns the queue of messages sent *to* it; writing appends to the
// peer's queue. When an end's last handle closes (or the kernel drops an end it held), its queue
// is flushed and the peer sees peer_closed.
//
// Every operation is a non-blocking attempt: ShouldWait when it would have to wait. Whoever waits
// (a thread in a system call, a kernel coroutine) does so on the end's signals, as a
// ChannelReader when it reads, and tries again: one implementation for every caller.
//
// An end has exactly one handle (ends cannot be duplicated), so an end sent through a channel
// sits in exactly one queue: its `container`. Following containers leads to an end held outside
// any queue (a task's, or the kernel's). A write that would make an end contain itself, directly
// or through other ends, is refused: ends in flight form a forest, never a cycle, so nothing can
// keep itself alive. The depth of that forest is bounded, so the walk is too.
//
// Locking: the two ends share one lock (ChannelPairLock), which guards both queues, the peer
// links and the waiting readers. It is taken before a handle table's lock and an object's signal
// lock. `container` fields, which link ends of different pairs, have a lock of their own, taken
// inside any pair lock (docs/architecture.md, "Locking").

#include <base/span.h>
#include <object/kernel_object.h>
#include <object/message.h>
#include <sync/spinlock.h>

class Channel;

// A reader waiting at an end: a blocked thread or a suspended coroutine. It is woken, like any
// signal observer, when the end becomes readable or the peer closes, and it may also offer a
// buffer into which a small message of bytes alone is copied straight from the writer (the IPC
// fast path): nothing is allocated or queued. That only happens on an empty queue, so messages
// keep their order.
struct ChannelReader {
    SignalObserver observer;  // wanted: readable | peer_closed
    // The buffer offered, if any (byte_capacity 0: none): a user address in the address space
    // with these page tables (a thread's), or, with page_table_root 0, kernel memory.
    u64 page_table_root = 0;
    u64 buffer = 0;
    u64 byte_capacity = 0;
    // Set by the channel when a message went straight to the reader (its transaction with it).
    bool delivered = false;
    u64 delivered_bytes = 0;
    u64 delivered_transaction = 0;
    // A call's reader (set before the write that sends the request, which gives it the id in
    // `transaction`): it waits for the message carrying that id alone, never the ordinary queue
    // nor the signals. Its reply is copied into the buffer when it fits and carries no handles;
    // otherwise `reply` holds it (the reader's from then on). The peer's end, or this one,
    // closing releases it with neither.
    bool awaits_reply = false;
    u64 transaction = 0;
    Message* reply = nullptr;
    const Channel* calling_end = nullptr;  // set by the channel
    base::ListNode call_node;              // on its pair's calls, while it waits
    // Set by the channel (last, with release order) when it woke the reader and let it go (a
    // message delivered or queued, the peer gone): remove_reader is then not needed, and the
    // fields above are final.
    bool released = false;
    bool is_released() const { return __atomic_load_n(&released, __ATOMIC_ACQUIRE); }
    void release() { __atomic_store_n(&released, true, __ATOMIC_RELEASE); }
};

// The one lock of a channel's two ends, and what it guards that the pair shares: the calls
// waiting at either end for their replies, and the ids given to calls (one counter for the pair,
// so unique at each end: 64 bits from 1, which does not wrap in practice, and an id still waited
// for is skipped anyway). Kept here rather than in each end, which stays within its size class.
struct ChannelPairLock : base::RefCounted<ChannelPairLock> {
    IrqSpinLock lock;
    base::IntrusiveList<ChannelReader, &ChannelReader::call_node> calls;
    u64 transaction_counter = 0;
};

class Channel final : public KernelObject {
public:
    static constexpr ObjectType object_type = ObjectType::Channel;
    static constexpr usize max_queued_messages = 64;
    // How deep ends may nest, each in the queue of the one before (LimitReached beyond).
    static constexpr usize max_nesting_depth = 4096;
    // The largest message that can go straight to a waiting reader.
    static constexpr usize direct_message_limit = 256;

    struct Pair {
        base::RefPtr<Channel> first, second;
    };
    static base::ErrorOr<Pair> create_pair();
    ~Channel() override;
    ObjectType type() const override { return object_type; }

    // Queues `message` at the peer, or hands its bytes straight to a reader waiting there. On
    // success the message is the channel's; on failure (ShouldWait when the peer's queue is full,
    // PeerClosed, InvalidArgument or LimitReached for ends it would nest wrongly) it stays with
    // the caller. A message whose transaction a call waits for at the peer goes to that call,
    // even when the peer's queue is full; `then_read` with awaits_reply makes this write a call:
    // the message gets a fresh id, which the reader then waits for.
    base::ErrorOr<void> write(MessagePointer& message);

    // The same for a message whose handles are still in a task's table: `passengers` are the
    // objects they name. Once nothing can fail, `board(context, message)` moves them into the
    // message, under the channel's lock, so the check and the move are one step. `board` may be
    // null when the message already holds its handles. `then_read`, if given, then waits at this
    // end (as add_reader) under the same acquisition of the lock: a call, whose reply can only
    // come after its request.
    using BoardFunction = void (*)(void* context, Message& message);
    base::ErrorOr<void> write(MessagePointer& message, base::Span<KernelObject* const> passengers, BoardFunction board,
                              void* context, ChannelReader* then_read = nullptr);

    // A message of bytes alone (at most direct_message_limit): it goes straight to a waiting
    // reader when there is one, and is otherwise queued as a new message charged to `account`.
    // `then_read` as for write: the reader is in place in the same step, or not at all on error.
    // `transaction`: 0, or the call it answers (then it goes to that call's reader, if one
    // waits at the peer, and is queued like any message otherwise).
    base::ErrorOr<void> write_bytes(base::ReadonlyBytes bytes, ResourceAccount* account,
                                    ChannelReader* then_read = nullptr, u64 transaction = 0);

    struct ReadLimits {
        u64 bytes;
        u64 handles;
    };
    // Takes the message at the head of this end's queue, in one step: two readers never both get
    // it. ShouldWait / PeerClosed when there is none; BufferTooSmall when it exceeds `limits`
    // (it stays queued, its sizes in `needed`).
    base::ErrorOr<MessagePointer> read(ReadLimits limits, ReadLimits* needed = nullptr);
    base::ErrorOr<MessagePointer> read() { return read(ReadLimits{~u64(0), ~u64(0)}); }
    // Puts a message that was read but could not be delivered (the reader's memory was bad) back
    // at the head of the queue, as if it had never been read. No cycle check is made for the ends
    // it carries: while it was out, only the reading task could have moved them (one thread per
    // task); with threads, this needs the forest check of a write.
    void unread(MessagePointer message);
    // A call's reply that its caller did not take (too big for the call's buffers, or the call
    // was cancelled as it came): queued at the head like an unread message while the queue is
    // under its limit. Past it, the reply is handed back to be dropped (outside the lock): a
    // reply reaches its call even past a full queue, so without this a caller that keeps calling
    // with no room for the replies would grow its queue, charged to the server, without end.
    MessagePointer unread_reply(MessagePointer message);

    // Readers waiting at this end. One at a time may take messages directly; others are woken
    // by the signals alone.
    void add_reader(ChannelReader& reader);
    void remove_reader(ChannelReader& reader);
    // Takes a call's reader (awaits_reply) off this end if it still waits (a timeout, a cancel):
    // a reply that comes later is queued. False when the channel released it first.
    bool remove_call(ChannelReader& reader);

protected:
    void on_zero_handles() override;

private:
    explicit Channel(base::RefPtr<ChannelPairLock> pair_lock);
    // add_reader, with the pair's lock held.
    [[gnu::always_inline]] void add_reader_locked(ChannelReader& reader) REQUIRES(pair_lock_->lock);
    // Wakes the reader that may take messages directly (pair lock held): it watches no signal.
    void wake_direct_reader();  // called on the peer too, so unannotated (see the fields)
    // Ends this end: the peer sees peer_closed, and the queue is flushed.
    void close();
    void flush_queue();
    // Checks that a message carrying `passengers` can go to the peer now (pair lock held, and the
    // forest lock when they include channel ends).
    // `nests`: some passenger is a channel end (the forest lock is then held too).
    // `to_call`: it goes to a call waiting at the peer, not into the queue (which may be full).
    base::ErrorOr<void> check_can_write(base::Span<KernelObject* const> passengers, bool nests, bool to_call) const
        REQUIRES(pair_lock_->lock);
    // Copies `bytes` into the buffer of the peer's waiting reader, if there is one that can take
    // them, and wakes it (pair lock held).
    [[gnu::always_inline]] bool deliver_directly(base::ReadonlyBytes bytes, u64 transaction) REQUIRES(pair_lock_->lock);
    // The call waiting at the peer for `transaction`, if any (pair lock held).
    [[gnu::always_inline]] ChannelReader* awaiting_call(u64 transaction) const REQUIRES(pair_lock_->lock);
    // Hands `bytes` (when `message` is null) or `message` to the peer's `call`, and wakes it. A
    // message of bytes alone that fits the call's buffer is copied there; false (nothing done)
    // when bare bytes cannot be (the caller then makes a message).
    [[gnu::always_inline]] bool deliver_reply(ChannelReader& call, base::ReadonlyBytes bytes, MessagePointer* message)
        REQUIRES(pair_lock_->lock);
    // A fresh id for a call, never one a call still waits for.
    [[gnu::always_inline]] u64 next_transaction() REQUIRES(pair_lock_->lock);
    // Lets every call waiting at either end go (an end closed).
    void release_calls() REQUIRES(pair_lock_->lock);
    // write_bytes when no reader took them: a message is made for them (kept out of the fast path).
    [[gnu::noinline]] base::ErrorOr<void> queue_bytes(base::ReadonlyBytes bytes, ResourceAccount* account,
                                                      ChannelReader* then_read, u64 transaction);
    // unread, with the pair's lock held.
    void unread_locked(MessagePointer& message) REQUIRES(pair_lock_->lock);
    // Appends a checked message to the peer's queue (pair lock held).
    void enqueue(MessagePointer& message, bool nests) REQUIRES(pair_lock_->lock);
    // The end held outside any queue that (through containers) holds this one, and how many
    // containers away it is. The walk stops after max_nesting_depth containers.
    const Channel* outermost_container(usize& depth) const;
    // Records, for the channel ends a message carries, which queue they now sit in (or none),
    // taking the forest lock if it is not `forest_held` and there are any.
    static void set_container(Message& message, Channel* container, bool forest_held);
    static bool carries_channel_ends(base::Span<KernelObject* const> passengers);

    // The fields below are the pair lock's. The analysis checks the functions that need it
    // (REQUIRES), not the fields: an end also reaches its peer's fields, under the same lock that
    // the analysis cannot tell is the same.
    base::RefPtr<ChannelPairLock> pair_lock_;
    Channel* peer_ = nullptr;       // cleared when either end closes
    Channel* container_ = nullptr;  // the end whose queue holds this end's handle, if any
    ChannelReader* direct_reader_ = nullptr;
    MessageQueue queue_;
    usize queued_ = 0;
};
