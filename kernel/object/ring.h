#pragma once

// An asynchronous system-call ring (docs/async-syscalls.md): submissions and completions in a
// memory object shared with the task (layout: poplar/abi/ring.h). The kernel reads each
// submission once into its own copy, keeps every cursor it relies on (object/ring_cursors.h),
// and reserves a completion slot for each operation it accepts, so no completion is lost.
// Operations that must wait run as jobs on the submitting task's work queue (charged to it);
// they hold the ring until they post their completion. Closing the ring's last handle, or the
// task's end (its work queue shuts down), cancels them.

#include <async/job.h>
#include <base/intrusive_list.h>
#include <object/channel.h>
#include <object/kernel_object.h>
#include <object/memory_object.h>
#include <object/ring_cursors.h>
#include <poplar/abi/ring.h>
#include <syscall/channel_operations.h>
#include <syscall/service_operations.h>

class Task;

class Ring final : public KernelObject {
public:
    static constexpr ObjectType object_type = ObjectType::Ring;

    // `entries`: a power of two in [ring_min_entries, ring_max_entries]. Its memory is charged
    // to `account`.
    static base::ErrorOr<base::RefPtr<Ring>> create(u32 entries, ResourceAccount& account);
    ~Ring() override;
    ObjectType type() const override { return object_type; }

    base::RefPtr<MemoryObject> memory() const { return memory_; }
    u32 entries() const { return sq_entries_; }

    // Takes up to `to_submit` submissions, each with a completion reserved, and starts them in
    // order, as `submitter` (its handles, its address space, its work queue). Returns how many
    // were taken; ShouldWait if none could be for want of completion room, BadState if the
    // shared cursors are corrupt.
    base::ErrorOr<u32> submit(Task& submitter, u32 to_submit) EXCLUDES(lock_);
    // Blocks until `min_complete` completions are unread (as of the user's cq_head), the deadline
    // passes (TimedOut; ShouldWait for deadline 0) or the thread is killed (Cancelled).
    base::ErrorOr<void> wait(u32 min_complete, u64 deadline) EXCLUDES(lock_);

private:
    // An accepted operation that waits: on the ring's list until it posts its completion.
    struct Operation : base::RefCounted<Operation> {
        u64 tag = 0;
        base::RefPtr<async::Job> job;  // set once spawned; cleared on completion (breaks the cycle)
        bool cancelled = false;
        base::ListNode node;  // on in_flight_, which holds no reference: its job does
    };
    struct Outcome {
        u32 status;
        u64 value;
        u64 transaction = 0;  // channel_receive: the message's
    };
    // What a channel_receive or channel_call job holds of its submitter: the task (its handle
    // table takes the handles received) and its address space (the copies go through its page
    // tables), both kept alive while the job runs, even past the task's end.
    struct Receiver {
        base::RefPtr<Task> task;
        base::RefPtr<KernelObject> address_space;
        IncomingBuffers buffers;
    };
    static Receiver receiver_of(Task& submitter, IncomingBuffers buffers);
    // A receive's outcome: the sizes and transaction, or the error (with the sizes needed for
    // BufferTooSmall).
    static Outcome received_outcome(const base::ErrorOr<ReceivedMessage>& received, u64 needed);
    // A channel_call waiting for its reply: its reader sits at the channel from the moment the
    // request went (in ring_enter) until the job takes the reply.
    struct PendingCall : base::RefCounted<PendingCall> {
        ChannelReader reader;
        async::Waker waker;  // the job's, while it waits (the reader's notify wakes it)
    };
    static constexpr u32 completions_signal = poplar::abi::signals::readable;

    Ring(base::RefPtr<MemoryObject> memory, u32 entries);
    void on_zero_handles() override EXCLUDES(lock_);

    // The kernel's view of the shared memory (its direct map): never a user address.
    u8* shared(u64 offset) const;

    // Takes valid no-ops in a row, at most `limit` (reserved), from the next submission up to
    // the end of the span contiguous in both queues, and writes their completions (publish()
    // shows them): how many. `stopped` when it read the next entry, not a valid no-op, into
    // `other` (once; not consumed).
    u32 take_nops(u32 limit, poplar::abi::RingSubmission& other, bool& stopped) REQUIRES(lock_);
    // The next submission, copied once into `entry`, when its opcode and flags word is not zero
    // (so it is no no-op): false otherwise, and then take_nops() looks at it.
    [[gnu::always_inline]] bool read_if_not_nop(poplar::abi::RingSubmission& entry) REQUIRES(lock_);
    // Checks a submission's fields, and completes what needs nothing but the ring (a nop, a
    // cancel, a bad entry): true with its outcome, false when it needs start().
    bool complete_at_once(const poplar::abi::RingSubmission& entry, Outcome& outcome) REQUIRES(lock_);
    // Runs a checked submission that needs other objects: true with its outcome now, false when
    // a job will post it.
    base::ErrorOr<bool> start(Task& submitter, const poplar::abi::RingSubmission& entry, Outcome& outcome)
        EXCLUDES(lock_);
    template <typename Work>
    base::ErrorOr<void> spawn(Task& submitter, u64 tag, Work make_task) EXCLUDES(lock_);
    // Asks the oldest operation in flight with `tag` to stop; false if there is none.
    bool cancel(u64 tag) REQUIRES(lock_);
    void finish(Operation& operation, Outcome outcome) EXCLUDES(lock_);
    // Writes a completion into its reserved slot; publish() then shows it (and the consumed
    // submissions) to user space, and the caller raises the signal after the lock.
    void post(u64 tag, Outcome outcome) REQUIRES(lock_);
    void publish() REQUIRES(lock_);
    // Takes the user's cq_head (BadState if it is corrupt).
    base::ErrorOr<void> read_cq_head() REQUIRES(lock_);

    static async::Task<base::ErrorOr<void>> wait_signals_job(base::RefPtr<Ring> ring, base::RefPtr<Operation> operation,
                                                             base::RefPtr<KernelObject> object, u32 wanted,
                                                             u64 deadline);
    static async::Task<base::ErrorOr<void>> timeout_job(base::RefPtr<Ring> ring, base::RefPtr<Operation> operation,
                                                        u64 deadline);

    // The channel and service operations: true with the outcome when they finish at once, false
    // when a job will post it.
    base::ErrorOr<bool> start_channel_receive(Task& submitter, const poplar::abi::RingSubmission& entry,
                                              Outcome& outcome) EXCLUDES(lock_);
    base::ErrorOr<bool> start_channel_call(Task& submitter, const poplar::abi::RingSubmission& entry, Outcome& outcome)
        EXCLUDES(lock_);
    base::ErrorOr<bool> start_service_subscribe(Task& submitter, const poplar::abi::RingSubmission& entry,
                                                Outcome& outcome) EXCLUDES(lock_);
    static async::Task<base::ErrorOr<void>> receive_job(base::RefPtr<Ring> ring, base::RefPtr<Operation> operation,
                                                        base::RefPtr<Channel> channel, Receiver receiver, u64 deadline);
    static async::Task<base::ErrorOr<void>> call_job(base::RefPtr<Ring> ring, base::RefPtr<Operation> operation,
                                                     base::RefPtr<Channel> channel, base::RefPtr<PendingCall> call,
                                                     Receiver receiver, u64 deadline);
    static async::Task<base::ErrorOr<void>> subscribe_job(base::RefPtr<Ring> ring, base::RefPtr<Operation> operation,
                                                          base::RefPtr<Task> task, ServiceName name, u64 deadline);

    using OperationList = base::IntrusiveList<Operation, &Operation::node>;

    base::RefPtr<MemoryObject> memory_;
    u32 sq_entries_;
    // Each page of the memory, through the kernel's direct map (the frames are the ring's for
    // its life): entries are found without going through the memory object.
    static constexpr u64 max_pages =
        (poplar::abi::ring_memory_size(poplar::abi::ring_max_entries) + poplar::abi::page_size - 1) /
        poplar::abi::page_size;
    u8* pages_[max_pages] = {};
    volatile poplar::abi::RingHeader* header_;  // in the first page
    // Guards the cursors and the operations in flight. Taken before the ring's signal lock (a
    // completion wakes the waiter) and an executor's (a cancel reschedules a job).
    mutable IrqSpinLock lock_;
    RingCursors cursors_ GUARDED_BY(lock_);
    OperationList in_flight_ GUARDED_BY(lock_);
    bool closed_ GUARDED_BY(lock_) = false;
};
