#include <arch/arch.h>
#include <async/kernel_awaitables.h>
#include <mm/physical_memory.h>
#include <object/channel.h>
#include <object/ring.h>
#include <object/task.h>
#include <sched/wait.h>
#include <sched/work_queue.h>
#include <syscall/user_pointer.h>
#include <time/clock.h>

using namespace poplar::abi;

namespace {

u32 status_of(base::Error error) { return static_cast<u32>(error); }

// The fields an operation may use (the rest must be zero: they may mean something later).
// `signals` is also handle_count, `target` also handles (they share words).
namespace field {
constexpr u32 handle = 1 << 0;
constexpr u32 signals = 1 << 1;
constexpr u32 address = 1 << 2;
constexpr u32 length = 1 << 3;
constexpr u32 deadline = 1 << 4;
constexpr u32 target = 1 << 5;
constexpr u32 transaction = 1 << 6;
}  // namespace field

bool unused_are_zero(const RingSubmission& entry, u32 used) {
    auto unused = [&](u32 which, u64 value) { return (used & which) || value == 0; };
    return entry.flags == 0 && unused(field::handle, entry.handle) && unused(field::signals, entry.signals) &&
           unused(field::address, entry.address) && unused(field::length, entry.length) &&
           unused(field::deadline, entry.deadline) && unused(field::target, entry.target_tag) &&
           unused(field::transaction, entry.transaction);
}

constexpr u32 channel_buffer_fields = field::handle | field::signals | field::address | field::length | field::target;

}  // namespace

base::ErrorOr<base::RefPtr<Ring>> Ring::create(u32 entries, ResourceAccount& account) {
    if (!ring_entries_valid(entries)) return base::Error::InvalidArgument;
    auto memory = TRY(MemoryObject::create(ring_memory_size(entries), memory_flags::writable, &account));
    // Zeroed frames: every cursor starts at 0. The sizes are the user's to read, not the kernel's.
    auto* ring = new (std::nothrow) Ring(memory, entries);
    if (!ring) return base::Error::NoMemory;
    ring->header_->sq_entries = entries;
    ring->header_->cq_entries = entries * ring_completion_factor;
    return base::adopt_ref(ring);
}

Ring::Ring(base::RefPtr<MemoryObject> memory, u32 entries)
    : KernelObject(object_type),
      memory_(base::move(memory)),
      sq_entries_(entries),
      cursors_(entries, entries * ring_completion_factor) {
    ASSERT(memory_->page_count() <= max_pages);
    for (u64 page = 0; page < memory_->page_count(); ++page)
        pages_[page] = static_cast<u8*>(mm::physical_to_virtual(memory_->physical_page(page)));
    header_ = reinterpret_cast<volatile RingHeader*>(pages_[0]);
}

Ring::~Ring() { ASSERT(in_flight_.is_empty()); }

u8* Ring::shared(u64 offset) const { return pages_[offset / page_size] + offset % page_size; }

base::ErrorOr<void> Ring::read_cq_head() { return cursors_.update_cq_head(header_->cq_head); }

void Ring::post(u64 tag, Outcome outcome) {
    u32 slot = cursors_.complete_reserved();
    RingCompletion completion{tag, outcome.value, outcome.status, 0, outcome.transaction};
    __builtin_memcpy(shared(ring_completions_offset(sq_entries_) + u64(slot) * sizeof(RingCompletion)), &completion,
                     sizeof(completion));
}

void Ring::publish() {
    // The entries before the tail that publishes them.
    __atomic_thread_fence(__ATOMIC_RELEASE);
    header_->sq_head = cursors_.sq_head();
    header_->cq_tail = cursors_.cq_tail();
}

namespace {

// Copies a submission out of the shared memory, once, a word at a time.
[[gnu::always_inline]] inline void copy_submission(const u64* source, RingSubmission& entry) {
    for (u32 i = 0; i < sizeof(RingSubmission) / sizeof(u64); ++i) {
        u64 word = __atomic_load_n(source + i, __ATOMIC_RELAXED);
        __builtin_memcpy(reinterpret_cast<u8*>(&entry) + i * sizeof(u64), &word, sizeof(word));
    }
}

}  // namespace

bool Ring::read_if_not_nop(RingSubmission& entry) {
    const auto* source = reinterpret_cast<const u64*>(
        shared(ring_submissions_offset + u64(cursors_.next_submission_slot()) * sizeof(RingSubmission)));
    // The word with the opcode and flags (take_nops() reads it the same way).
    if (__atomic_load_n(source + 1, __ATOMIC_RELAXED) == 0) return false;
    copy_submission(source, entry);
    return true;
}

// Out of line: inlined into submit(), the registers its loop needs spill, and a single no-op
// costs about 10 instructions more.
[[gnu::noinline]] u32 Ring::take_nops(u32 limit, RingSubmission& other, bool& stopped) {
    // A valid no-op is all zeros but its tag: its opcode and flags share the second word.
    static_assert(ring_op::nop == 0 && __builtin_offsetof(RingSubmission, tag) == 0 &&
                  __builtin_offsetof(RingSubmission, opcode) == sizeof(u64) &&
                  __builtin_offsetof(RingSubmission, flags) == 12);
    constexpr u32 words_per_entry = sizeof(RingSubmission) / sizeof(u64);
    u32 sq_slot = cursors_.next_submission_slot(), cq_slot = cursors_.next_completion_slot();
    u64 sq_offset = ring_submissions_offset + u64(sq_slot) * sizeof(RingSubmission);
    u64 cq_offset = ring_completions_offset(sq_entries_) + u64(cq_slot) * sizeof(RingCompletion);
    // The span contiguous in both queues: up to either's end or a page boundary in either.
    u32 span = base::min(limit, sq_entries_ - sq_slot);
    span = base::min(span, static_cast<u32>((page_size - sq_offset % page_size) / sizeof(RingSubmission)));
    span = base::min(span, sq_entries_ * ring_completion_factor - cq_slot);
    span = base::min(span, static_cast<u32>((page_size - cq_offset % page_size) / sizeof(RingCompletion)));
    const auto* source = reinterpret_cast<const u64*>(shared(sq_offset));
    auto* target = reinterpret_cast<RingCompletion*>(shared(cq_offset));
    u32 taken = 0;
    for (; taken < span; ++taken, source += words_per_entry) {
        // The check reads each word once, straight into the OR (whatever user space writes
        // there from now on is not this operation). An entry that is not a valid no-op is copied
        // once into `other`, and that copy alone is what the general path reads and checks.
        const volatile u64* words = source;
        u64 tag = words[0];
        if ((words[1] | words[2] | words[3] | words[4] | words[5] | words[6] | words[7]) != 0) {
            copy_submission(source, other);
            stopped = true;
            break;
        }
        RingCompletion completion{tag, 0, 0, 0, 0};
        __builtin_memcpy(&target[taken], &completion, sizeof(completion));
    }
    cursors_.consume_submissions(taken);
    cursors_.complete_reserved(taken);
    return taken;
}

bool Ring::complete_at_once(const RingSubmission& entry, Outcome& outcome) {
    auto fail = [&](base::Error error) {
        outcome = {status_of(error), 0};
        return true;
    };
    outcome = {0, 0};
    switch (entry.opcode) {
        case ring_op::nop:
            return unused_are_zero(entry, 0) || fail(base::Error::InvalidArgument);
        case ring_op::cancel:
            if (!unused_are_zero(entry, field::target)) return fail(base::Error::InvalidArgument);
            if (!cancel(entry.target_tag)) return fail(base::Error::NotFound);
            return true;
        case ring_op::channel_send:
            return !unused_are_zero(entry, channel_buffer_fields | field::transaction) &&
                   fail(base::Error::InvalidArgument);
        case ring_op::wait_signals:
            return !(unused_are_zero(entry, field::handle | field::signals | field::deadline) && entry.signals) &&
                   fail(base::Error::InvalidArgument);
        case ring_op::timeout:
            return !unused_are_zero(entry, field::deadline) && fail(base::Error::InvalidArgument);
        case ring_op::channel_receive:
            return !unused_are_zero(entry, channel_buffer_fields | field::deadline) &&
                   fail(base::Error::InvalidArgument);
        case ring_op::channel_call:
            return !unused_are_zero(entry, field::handle | field::address | field::deadline) &&
                   fail(base::Error::InvalidArgument);
        case ring_op::service_subscribe:
            return !unused_are_zero(entry, field::address | field::length | field::deadline) &&
                   fail(base::Error::InvalidArgument);
        default:
            return fail(base::Error::NotSupported);
    }
}

base::ErrorOr<u32> Ring::submit(Task& submitter, u32 to_submit) {
    u32 reserved;
    bool refused;
    {
        IrqSpinLockGuard guard(lock_);
        if (closed_) return base::Error::BadState;
        TRY(read_cq_head());
        // sq_tail is read once per call: entries written later wait for the next call. Every
        // entry taken gets its completion slot now (a job posts into it later), so the rest of
        // the call reserves nothing more.
        u32 limit = base::min(to_submit, TRY(cursors_.submissions_offered(header_->sq_tail)));
        reserved = cursors_.reserve_completions(limit);
        refused = reserved < limit;
    }
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    u32 taken = 0;
    bool posted = false;
    // An operation started outside the lock that finished at once: posted when the lock is next
    // taken, so each such operation costs one hold of the lock, not two.
    bool held_back = false;
    u64 held_back_tag = 0;
    Outcome held_back_outcome{0, 0};
    for (;;) {
        RingSubmission entry;
        bool needs_work = false;
        {
            // Operations that touch nothing but the ring complete under one hold of the lock;
            // the user sees the cursors move once, when the call is done.
            IrqSpinLockGuard guard(lock_);
            if (held_back) {
                post(held_back_tag, held_back_outcome);
                held_back = false;
            }
            while (taken < reserved) {
                // An entry plainly not a no-op skips looking for a run of them.
                bool stopped = read_if_not_nop(entry);
                if (!stopped) {
                    u32 nops = take_nops(reserved - taken, entry, stopped);
                    taken += nops;
                    posted = posted || nops;
                    if (!stopped) continue;
                }
                // Read once, into `entry`.
                cursors_.consume_submission();
                ++taken;
                Outcome outcome;
                if (!complete_at_once(entry, outcome)) {
                    needs_work = true;
                    break;
                }
                post(entry.tag, outcome);
                posted = true;
            }
            if (!needs_work) {
                publish();
                break;
            }
        }
        // Outside the ring's lock: handles, other objects' locks, the work queue.
        Outcome outcome{0, 0};
        auto started = start(submitter, entry, outcome);
        if (started.is_ok() && !started.value()) continue;  // a job posts it
        if (started.is_error()) outcome = {status_of(started.error()), 0};
        held_back = true;
        held_back_tag = entry.tag;
        held_back_outcome = outcome;
        posted = true;
    }
    if (posted) update_signals(completions_signal, 0);
    if (taken == 0 && refused) return base::Error::ShouldWait;  // the completions are full
    return taken;
}

base::ErrorOr<bool> Ring::start(Task& submitter, const RingSubmission& entry, Outcome& outcome) {
    switch (entry.opcode) {
        case ring_op::channel_send: {
            auto channel = TRY(submitter.handles().get_object<Channel>(entry.handle, rights::send));
            TRY(channel_send_message(
                submitter, *channel,
                {entry.address, entry.length, entry.handles, entry.handle_count, entry.transaction}));
            return true;
        }
        case ring_op::channel_receive:
            return start_channel_receive(submitter, entry, outcome);
        case ring_op::channel_call:
            return start_channel_call(submitter, entry, outcome);
        case ring_op::service_subscribe:
            return start_service_subscribe(submitter, entry, outcome);
        case ring_op::wait_signals: {
            auto object = TRY(submitter.handles().get_object<KernelObject>(entry.handle, rights::wait));
            u32 seen = object->signals();
            if (seen & entry.signals) {
                outcome.value = seen;
                return true;
            }
            if (entry.deadline == deadline_now) {
                outcome = {status_of(base::Error::ShouldWait), seen};
                return true;
            }
            TRY(spawn(submitter, entry.tag, [&](base::RefPtr<Operation> operation) {
                return wait_signals_job(this, base::move(operation), base::move(object), entry.signals, entry.deadline);
            }));
            return false;
        }
        case ring_op::timeout:
            if (entry.deadline <= time::monotonic_nanoseconds()) return true;
            TRY(spawn(submitter, entry.tag, [&](base::RefPtr<Operation> operation) {
                return timeout_job(this, base::move(operation), entry.deadline);
            }));
            return false;
        default:
            VERIFY_NOT_REACHED();  // complete_at_once took the rest
    }
}

template <typename Work>
base::ErrorOr<void> Ring::spawn(Task& submitter, u64 tag, Work make_task) {
    sched::WorkQueue* queue = TRY(submitter.work_queue());
    auto* raw = new (std::nothrow) Operation;
    if (!raw) return base::Error::NoMemory;
    auto operation = base::adopt_ref(raw);
    operation->tag = tag;
    {
        IrqSpinLockGuard guard(lock_);
        in_flight_.push_back(*operation);
    }
    auto job = queue->spawn(make_task(operation));
    IrqSpinLockGuard guard(lock_);
    if (job.is_error()) {
        in_flight_.remove(*operation);
        return job.error();
    }
    // Unless it has finished already (the call was preempted), it is cancellable from now on.
    if (operation->node.is_linked()) {
        operation->job = job.value();
        if (operation->cancelled || closed_) operation->job->request_cancel();
    }
    return {};
}

bool Ring::cancel(u64 tag) {
    // The oldest operation with that tag that is not being cancelled already.
    for (Operation& operation : in_flight_) {
        if (operation.tag != tag || operation.cancelled) continue;
        operation.cancelled = true;
        if (operation.job) operation.job->request_cancel();
        return true;
    }
    return false;
}

void Ring::finish(Operation& operation, Outcome outcome) {
    base::RefPtr<async::Job> job;  // dropped after the lock (its poll holds another reference)
    {
        IrqSpinLockGuard guard(lock_);
        in_flight_.remove(operation);
        job = base::move(operation.job);
        post(operation.tag, outcome);
        publish();
    }
    update_signals(completions_signal, 0);
}

void Ring::on_zero_handles() {
    IrqSpinLockGuard guard(lock_);
    closed_ = true;
    for (Operation& operation : in_flight_) {
        operation.cancelled = true;
        if (operation.job) operation.job->request_cancel();
    }
}

base::ErrorOr<void> Ring::wait(u32 min_complete, u64 deadline) {
    auto enough = [&] {
        IrqSpinLockGuard guard(lock_);
        return cursors_.completions_ready() >= min_complete;
    };
    {
        IrqSpinLockGuard guard(lock_);
        TRY(read_cq_head());
        if (cursors_.completions_ready() >= min_complete) return {};
    }
    if (deadline == deadline_now) return base::Error::ShouldWait;
    arch::InterruptGuard guard;
    SignalObserver observer;
    observer.wake_thread_on(sched::current_thread(), completions_signal);
    add_observer(observer);
    auto waited = sched::wait_until(enough, deadline);
    remove_observer(observer);
    return waited;
}

async::Task<base::ErrorOr<void>> Ring::wait_signals_job(base::RefPtr<Ring> ring, base::RefPtr<Operation> operation,
                                                        base::RefPtr<KernelObject> object, u32 wanted, u64 deadline) {
    auto seen = co_await async::wait_signals(base::move(object), wanted, deadline);
    ring->finish(*operation, seen.is_ok() ? Outcome{0, seen.value()} : Outcome{status_of(seen.error()), 0});
    co_return base::ErrorOr<void>();
}

async::Task<base::ErrorOr<void>> Ring::timeout_job(base::RefPtr<Ring> ring, base::RefPtr<Operation> operation,
                                                   u64 deadline) {
    auto slept = co_await async::sleep_until(deadline);
    ring->finish(*operation, slept.is_ok() ? Outcome{0, 0} : Outcome{status_of(slept.error()), 0});
    co_return base::ErrorOr<void>();
}

// The channel and service operations. Each is its system call's attempt (syscall/channel.cpp,
// syscall/service.cpp), tried at once in ring_enter; only what must wait becomes a job.

Ring::Outcome Ring::received_outcome(const base::ErrorOr<ReceivedMessage>& received, u64 needed) {
    if (received.is_ok()) return {0, received.value().sizes, received.value().transaction};
    // BufferTooSmall: the sizes the message needs.
    return {status_of(received.error()), received.failed_with(base::Error::BufferTooSmall) ? needed : 0};
}

namespace {

IncomingBuffers buffers_of(const RingSubmission& entry) {
    return {0, entry.address, entry.length, entry.handles, entry.handle_count};
}

}  // namespace

Ring::Receiver Ring::receiver_of(Task& submitter, IncomingBuffers buffers) {
    AddressSpace& space = submitter.address_space();
    buffers.page_table_root = space.page_table_root();
    return Receiver{base::RefPtr<Task>(&submitter), base::RefPtr<KernelObject>(&space), buffers};
}

base::ErrorOr<bool> Ring::start_channel_receive(Task& submitter, const RingSubmission& entry, Outcome& outcome) {
    auto channel = TRY(submitter.handles().get_object<Channel>(entry.handle, rights::receive));
    IncomingBuffers buffers = buffers_of(entry);
    TRY(check_receive_buffers(buffers));
    u64 needed = 0;
    auto received = channel_try_receive(submitter, *channel, buffers, needed);
    if (!received.failed_with(base::Error::ShouldWait)) {
        outcome = received_outcome(received, needed);
        return true;
    }
    if (entry.deadline == deadline_now) return base::Error::ShouldWait;
    TRY(spawn(submitter, entry.tag, [&](base::RefPtr<Operation> operation) {
        return receive_job(this, base::move(operation), base::move(channel), receiver_of(submitter, buffers),
                           entry.deadline);
    }));
    return false;
}

async::Task<base::ErrorOr<void>> Ring::receive_job(base::RefPtr<Ring> ring, base::RefPtr<Operation> operation,
                                                   base::RefPtr<Channel> channel, Receiver receiver, u64 deadline) {
    for (;;) {
        auto seen = co_await async::wait_signals(channel, signals::readable | signals::peer_closed, deadline);
        if (seen.is_error()) {
            ring->finish(*operation, {status_of(seen.error()), 0});
            co_return base::ErrorOr<void>();
        }
        u64 needed = 0;
        base::ErrorOr<ReceivedMessage> received = base::Error::Cancelled;
        {
            // Not past the task's end: its table is released once its jobs are cancelled, and a
            // message not taken stays queued for the end's next reader.
            arch::InterruptGuard guard;
            if (!async::current_job_cancelled())
                received = channel_try_receive(*receiver.task, *channel, receiver.buffers, needed);
        }
        if (received.failed_with(base::Error::ShouldWait)) continue;  // another reader took it
        ring->finish(*operation, received_outcome(received, needed));
        co_return base::ErrorOr<void>();
    }
}

base::ErrorOr<bool> Ring::start_channel_call(Task& submitter, const RingSubmission& entry, Outcome& outcome) {
    auto channel = TRY(submitter.handles().get_object<Channel>(entry.handle, rights::send | rights::receive));
    auto call = TRY(UserIn<ChannelCallArguments>(entry.address).read());
    auto address = [](const void* pointer) { return reinterpret_cast<u64>(pointer); };
    OutgoingMessage request{address(call.send_bytes), call.send_byte_count, address(call.send_handles),
                            call.send_handle_count, 0};
    Receiver receiver = receiver_of(submitter, {0, address(call.receive_bytes), call.receive_byte_capacity,
                                                address(call.receive_handles), call.receive_handle_capacity});
    // Bad reply buffers, or no room for the job that waits, are refused before anything is sent.
    u64 byte_room = TRY(check_receive_buffers(receiver.buffers));
    sched::WorkQueue* queue = TRY(submitter.work_queue());
    if (!queue->can_spawn()) return base::Error::LimitReached;
    auto* raw = new (std::nothrow) PendingCall;
    if (!raw) return base::Error::NoMemory;
    auto pending = base::adopt_ref(raw);
    ChannelReader& reader = pending->reader;
    reader.awaits_reply = true;
    reader.observer.notify = async::ReplyAwaiter::reply_waker_notify;
    reader.observer.context = &pending->waker;
    // A reply of bytes alone goes straight into the buffer, through the task's page tables.
    reader.page_table_root = receiver.buffers.page_table_root;
    reader.buffer = receiver.buffers.bytes;
    reader.byte_capacity = byte_room;
    // The request goes, with a fresh id, and the reader waits for the reply carrying it, in one
    // step: no reply can pass it.
    TRY(channel_send_message(submitter, *channel, request, &reader));
    auto spawned = spawn(submitter, entry.tag, [&](base::RefPtr<Operation> operation) {
        return call_job(this, base::move(operation), channel, pending, receiver, entry.deadline);
    });
    if (spawned.is_ok()) return false;
    // The queue filled meanwhile: the call ends here, the request gone (a reply that came is
    // taken now; one that comes later is queued).
    u64 needed = 0;
    base::ErrorOr<void> waited = spawned.error();
    if (reader.is_released() || !channel->remove_call(reader)) {
        receiver.buffers.page_table_root = 0;  // still in the submitter's own address space
        auto reply = channel_take_reply(submitter, *channel, reader, receiver.buffers, waited, needed);
        outcome = received_outcome(reply, needed);
    } else {
        outcome = {status_of(spawned.error()), 0};
    }
    if (outcome.status) outcome.value |= call_request_sent;
    return true;
}

async::Task<base::ErrorOr<void>> Ring::call_job(base::RefPtr<Ring> ring, base::RefPtr<Operation> operation,
                                                base::RefPtr<Channel> channel, base::RefPtr<PendingCall> call,
                                                Receiver receiver, u64 deadline) {
    base::ErrorOr<void> waited;
    do {
        waited = co_await async::ReplyAwaiter(*channel, call->reader, call->waker, deadline);
    } while (waited.failed_with(base::Error::ShouldWait));
    u64 needed = 0;
    base::ErrorOr<ReceivedMessage> reply = base::Error::Cancelled;
    MessagePointer dropped;  // a reply with no room in the queue, released after the guard
    {
        arch::InterruptGuard guard;  // as in receive_job
        if (!async::current_job_cancelled() || !waited.is_ok())
            reply = channel_take_reply(*receiver.task, *channel, call->reader, receiver.buffers, waited, needed);
        else if (call->reader.reply)  // queued, as if late (room permitting)
            dropped = channel->unread_reply(MessagePointer(base::exchange(call->reader.reply, nullptr)));
    }
    Outcome outcome = received_outcome(reply, needed);
    if (outcome.status) outcome.value |= call_request_sent;
    ring->finish(*operation, outcome);
    co_return base::ErrorOr<void>();
}

base::ErrorOr<bool> Ring::start_service_subscribe(Task& submitter, const RingSubmission& entry, Outcome& outcome) {
    ServiceName name = TRY(read_service_name(entry.address, entry.length));
    auto subscribed = service_try_subscribe(submitter, name.view());
    if (!subscribed.failed_with(base::Error::NotFound) || entry.deadline == deadline_now) {
        outcome.value = TRY(subscribed);
        return true;
    }
    TRY(spawn(submitter, entry.tag, [&](base::RefPtr<Operation> operation) {
        return subscribe_job(this, base::move(operation), base::RefPtr<Task>(&submitter), name, entry.deadline);
    }));
    return false;
}

async::Task<base::ErrorOr<void>> Ring::subscribe_job(base::RefPtr<Ring> ring, base::RefPtr<Operation> operation,
                                                     base::RefPtr<Task> task, ServiceName name, u64 deadline) {
    auto subscribed = co_await service_subscribe_job(base::move(task), name, deadline);
    ring->finish(*operation,
                 subscribed.is_ok() ? Outcome{0, subscribed.value()} : Outcome{status_of(subscribed.error()), 0});
    co_return base::ErrorOr<void>();
}
