#include <async/kernel_awaitables.h>
#include <mm/physical_memory.h>
#include <object/channel.h>
#include <object/ring.h>
#include <object/task.h>
#include <sched/wait.h>
#include <sched/work_queue.h>
#include <syscall/channel_send.h>
#include <time/clock.h>

using namespace poplar::abi;

namespace {

u32 status_of(base::Error error) { return static_cast<u32>(error); }

// Fields an operation does not use must be zero: they may mean something later.
bool unused_are_zero(const RingSubmission& entry, bool handle, bool signals, bool address, bool deadline, bool target) {
    return entry.flags == 0 && entry.transaction == 0 && (handle || entry.handle == 0) &&
           (signals || entry.signals == 0) && (address || (entry.address == 0 && entry.length == 0)) &&
           (deadline || entry.deadline == 0) && (target || entry.target_tag == 0);
}

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
    RingCompletion completion{tag, outcome.value, outcome.status, 0, 0};
    __builtin_memcpy(shared(ring_completions_offset(sq_entries_) + u64(slot) * sizeof(RingCompletion)), &completion,
                     sizeof(completion));
}

void Ring::publish() {
    // The entries before the tail that publishes them.
    __atomic_thread_fence(__ATOMIC_RELEASE);
    header_->sq_head = cursors_.sq_head();
    header_->cq_tail = cursors_.cq_tail();
}

// Out of line: its loop keeps the entry's words in registers (inlined into submit(), spills
// cost a single no-op about 10 instructions more).
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
        // Read once, a word at a time (never read again): whatever user space writes there from
        // now on is not this operation.
        u64 words[words_per_entry];
        u64 rest = 0;
        for (u32 i = 0; i < words_per_entry; ++i) {
            words[i] = __atomic_load_n(source + i, __ATOMIC_RELAXED);
            if (i > 0) rest |= words[i];
        }
        if (rest != 0) {
            __builtin_memcpy(&other, words, sizeof(other));
            stopped = true;
            break;
        }
        RingCompletion completion{words[0], 0, 0, 0, 0};
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
            return unused_are_zero(entry, false, false, false, false, false) || fail(base::Error::InvalidArgument);
        case ring_op::cancel:
            if (!unused_are_zero(entry, false, false, false, false, true)) return fail(base::Error::InvalidArgument);
            if (!cancel(entry.target_tag)) return fail(base::Error::NotFound);
            return true;
        case ring_op::channel_send:
            return !unused_are_zero(entry, true, false, true, false, false) && fail(base::Error::InvalidArgument);
        case ring_op::wait_signals:
            return !(unused_are_zero(entry, true, true, false, true, false) && entry.signals) &&
                   fail(base::Error::InvalidArgument);
        case ring_op::timeout:
            return !unused_are_zero(entry, false, false, false, true, false) && fail(base::Error::InvalidArgument);
        default:
            return fail(base::Error::NotSupported);
    }
}

base::ErrorOr<u32> Ring::submit(Task& submitter, u32 to_submit) {
    u32 limit;
    {
        IrqSpinLockGuard guard(lock_);
        if (closed_) return base::Error::BadState;
        TRY(read_cq_head());
        // sq_tail is read once per call: entries written later wait for the next call.
        limit = base::min(to_submit, TRY(cursors_.submissions_offered(header_->sq_tail)));
    }
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    u32 taken = 0;
    bool refused = false, posted = false;
    while (taken < limit && !refused) {
        RingSubmission entry;
        bool needs_work = false;
        {
            // A run of operations that touch nothing but the ring completes under one lock, its
            // completion slots reserved together.
            IrqSpinLockGuard guard(lock_);
            u32 reserved = cursors_.reserve_completions(limit - taken);
            refused = reserved < limit - taken;
            u32 run = 0;
            while (run < reserved) {
                bool stopped = false;
                u32 nops = take_nops(reserved - run, entry, stopped);
                run += nops;
                posted = posted || nops;
                if (!stopped) continue;
                // take_nops() read this one once, into `entry`.
                cursors_.consume_submission();
                ++run;
                Outcome outcome;
                if (!complete_at_once(entry, outcome)) {
                    needs_work = true;
                    break;
                }
                post(entry.tag, outcome);
                posted = true;
            }
            taken += run;
            // A run cut short by an operation that needs work leaves reservations for the rest.
            if (run < reserved) {
                cursors_.release_completions(reserved - run);
                refused = false;
            }
            publish();
        }
        if (!needs_work) continue;
        // Outside the ring's lock: handles, other objects' locks, the work queue.
        Outcome outcome{0, 0};
        auto started = start(submitter, entry, outcome);
        if (started.is_ok() && !started.value()) continue;  // a job posts it
        if (started.is_error()) outcome = {status_of(started.error()), 0};
        IrqSpinLockGuard guard(lock_);
        post(entry.tag, outcome);
        publish();
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
            TRY(channel_send_from_user(submitter, *channel, entry.address, entry.length));
            return true;
        }
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
