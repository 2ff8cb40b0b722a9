#include <poplar/async/executor.h>

namespace poplar::async {

namespace {

Job* polled_job = nullptr;

// Part of the completion queue kept for cancels (poplar/async/executor.h, "Room in the rings").
u64 cancel_reserve(u32 entries) { return (entries + 1) / 2; }

}  // namespace

Job* current_job() { return polled_job; }

Loop& current_loop() {
    ASSERT(polled_job);
    return polled_job->loop();
}

// Job ---------------------------------------------------------------------------------------------

void Job::request_cancel() {
    if (complete_ || cancel_requested_) return;
    cancel_requested_ = true;
    if (Suspension* suspension = suspension_) suspension->cancel();
}

void Job::wake() {
    suspension_ = nullptr;
    loop_.schedule(*this);
}

// WaitQueue ---------------------------------------------------------------------------------------

WaitQueue::Waiter::~Waiter() {
    if (node.is_linked()) queue_.waiters_.remove(*this);
}

bool WaitQueue::Waiter::await_ready() {
    job_ = current_job();
    cancelled_ = job_->cancel_requested();
    return cancelled_;
}

void WaitQueue::Waiter::await_suspend(std::coroutine_handle<> handle) {
    job_->suspend(handle, this);
    queue_.waiters_.push_back(*this);
}

base::ErrorOr<void> WaitQueue::Waiter::await_resume() const {
    if (cancelled_) return base::Error::Cancelled;
    return {};
}

void WaitQueue::Waiter::cancel() {
    if (node.is_linked()) queue_.waiters_.remove(*this);
    cancelled_ = true;
    job_->wake();
}

void WaitQueue::notify_one() {
    if (Waiter* waiter = waiters_.pop_front()) waiter->job_->wake();
}

void WaitQueue::notify_all() {
    while (Waiter* waiter = waiters_.pop_front()) waiter->job_->wake();
}

// Group -------------------------------------------------------------------------------------------

Group::~Group() {
    // Every member has finished before its parent's frame goes (the parent waits until_all).
    ASSERT(jobs_.is_empty());
}

void Group::add(Job& job) {
    job.group_ = this;
    jobs_.push_back(job);
    ++members_;
}

void Group::cancel_members() {
    for (Job* job = jobs_.front(); job; job = jobs_.next(*job)) job->request_cancel();
}

void Group::Awaiter::await_suspend(std::coroutine_handle<> handle) {
    Job* parent = current_job();
    group.parent_ = parent;
    group.waiting_for_all_ = all;
    parent->suspend(handle, &group);
    // A parent cancelled before it waits passes that on now.
    if (parent->cancel_requested()) group.cancel_members();
}

void Group::cancel() { cancel_members(); }

void Group::member_finished(Job& job) {
    jobs_.remove(job);
    job.group_ = nullptr;
    ++finished_;
    if (!first_) first_ = &job;
    if (parent_ && satisfied(waiting_for_all_)) {
        base::exchange(parent_, nullptr)->wake();
    }
}

// Operation ---------------------------------------------------------------------------------------

bool Operation::start_ready() {
    job_ = current_job();
    if (!job_->cancel_requested()) return false;
    completion.status = static_cast<u32>(base::Error::Cancelled);
    state_ = State::done;
    return true;
}

void Operation::start_suspended(std::coroutine_handle<> handle) {
    job_->suspend(handle, this);
    job_->loop().submit(*this, *job_);
}

void Operation::cancel() { job_->loop().cancel(*this); }

// Loop --------------------------------------------------------------------------------------------

base::ErrorOr<Loop*> Loop::create(u32 ring_entries) {
    auto ring = TRY(Ring::create(ring_entries));
    usize slot_count = ring.completion_entries();
    auto* slots = static_cast<Slots::Slot*>(poplar::allocate(slot_count * sizeof(Slots::Slot)));
    if (!slots) return base::Error::NoMemory;
    void* memory = poplar::allocate(sizeof(Loop));
    if (!memory) {
        poplar::deallocate(slots);
        return base::Error::NoMemory;
    }
    return new (memory) Loop(base::move(ring), slots);
}

Loop::Loop(Ring ring, Slots::Slot* slots)
    : ring_(base::move(ring)),
      slot_storage_(slots),
      slots_(base::Span<Slots::Slot>(slots, ring_.completion_entries())) {}

Loop::~Loop() { poplar::deallocate(slot_storage_); }

void Loop::adopt(Job& job, Group* group) {
    jobs_.push_back(job);
    ++live_jobs_;
    if (group) group->add(job);
    schedule(job);
}

void Loop::schedule(Job& job) {
    if (job.queued_ || job.complete_) return;
    job.queued_ = true;
    ready_.push_back(job);
    ++ready_count_;
}

void Loop::poll(Job& job) {
    ++statistics_.polls;
    polled_job = &job;
    job.resume_point_.resume();
    polled_job = nullptr;
    if (job.root_.done()) complete(job);
}

void Loop::complete(Job& job) {
    job.complete_ = true;
    job.suspension_ = nullptr;
    jobs_.remove(job);
    --live_jobs_;
    job.completion_waiters().notify_all();
    if (job.group_) job.group_->member_finished(job);
    if (job.unref()) delete &job;  // the loop's reference: a detached job's frame goes now
}

void Loop::submit(Operation& operation, Job&) {
    operation.state_ = Operation::State::queued;
    waiting_.push_back(operation);
    ++waiting_count_;
    statistics_.most_waiting = base::max<u64>(statistics_.most_waiting, waiting_count_);
}

void Loop::cancel(Operation& operation) {
    switch (operation.state_) {
        case Operation::State::queued:
            // Never reached the kernel: it ends here.
            waiting_.remove(operation);
            --waiting_count_;
            operation.completion.status = static_cast<u32>(base::Error::Cancelled);
            finish(operation);
            return;
        case Operation::State::in_kernel:
            if (!operation.cancel_wanted_) {
                operation.cancel_wanted_ = true;
                cancels_.push_back(operation);
            }
            return;
        case Operation::State::idle:
        case Operation::State::done:
            return;
    }
}

void Loop::finish(Operation& operation) {
    operation.state_ = Operation::State::done;
    operation.job_->wake();
}

u64 Loop::operation_budget() const {
    return base::min<u64>(ring_.completion_entries() - cancel_reserve(ring_.entries()), max_operations_in_kernel);
}

void Loop::write_entries() {
    // Cancels first: they may use the reserved part of the completion queue.
    while (Operation* target = cancels_.front()) {
        if (outstanding() >= ring_.completion_entries() || ring_.submission_room() == 0) break;
        abi::RingSubmission cancel{};
        cancel.tag = 0;  // nobody waits for a cancel's own completion
        cancel.opcode = abi::ring_op::cancel;
        cancel.target_tag = target->entry.tag;
        ring_.push(cancel);
        cancels_.remove(*target);
        ++entries_written_;
        ++statistics_.cancels_written;
    }
    while (Operation* operation = waiting_.front()) {
        if (outstanding() >= operation_budget() || ring_.submission_room() == 0) break;
        auto tag = slots_.insert(operation);
        if (tag.is_error()) break;  // every slot retired: cannot happen before 2^48 uses of each
        operation->entry.tag = tag.value();
        ring_.push(operation->entry);
        waiting_.remove(*operation);
        --waiting_count_;
        operation->state_ = Operation::State::in_kernel;
        in_kernel_.push_back(*operation);
        ++entries_written_;
    }
    statistics_.entries_written = entries_written_;
    statistics_.most_in_flight = base::max<u64>(statistics_.most_in_flight, outstanding());
    statistics_.most_in_kernel = base::max<u64>(statistics_.most_in_kernel, slots_.live());
}

usize Loop::read_completions() {
    usize count = 0;
    abi::RingCompletion completion{};
    while (ring_.pop(completion)) {
        ++completions_read_;
        ++count;
        if (completion.tag == 0) continue;  // a cancel's
        Operation* operation = slots_.take(completion.tag);
        if (!operation) {
            ++statistics_.stray_completions;
            continue;
        }
        in_kernel_.remove(*operation);
        if (operation->cancel_wanted_) {
            operation->cancel_wanted_ = false;
            if (operation->node.is_linked()) cancels_.remove(*operation);  // no cancel to write now
        }
        bool lent = base::exchange(operation->preempted_, false);
        if (lent && completion.status == static_cast<u32>(base::Error::Cancelled) &&
            !operation->job_->cancel_requested()) {
            // It gave its place to others: back to the end of the queue, its job still waiting.
            ++statistics_.preemptions;
            operation->state_ = Operation::State::queued;
            waiting_.push_back(*operation);
            ++waiting_count_;
            continue;
        }
        operation->completion = completion;
        finish(*operation);
    }
    statistics_.completions = completions_read_;
    return count;
}

bool Loop::may_preempt() const {
    if (waiting_count_ == 0) return false;
    for (Operation* operation = in_kernel_.front(); operation; operation = in_kernel_.next(*operation))
        if (operation->restartable && !operation->cancel_wanted_) return true;
    return false;
}

void Loop::preempt() {
    // As many of the oldest restartable operations as wait for room, not being cancelled already.
    usize wanted = waiting_count_;
    for (Operation* operation = in_kernel_.front(); operation && wanted > 0; operation = in_kernel_.next(*operation)) {
        if (!operation->restartable || operation->cancel_wanted_) continue;
        operation->preempted_ = true;
        operation->cancel_wanted_ = true;
        cancels_.push_back(*operation);
        --wanted;
    }
}

base::ErrorOr<void> Loop::exchange(bool may_block) {
    write_entries();
    u64 to_submit = ring_.unsubmitted();
    bool block = may_block && outstanding() > 0;
    if (may_block && !block) return base::Error::BadState;  // every job waits for another
    if (to_submit == 0 && !block) {
        read_completions();
        return {};
    }
    ++statistics_.enters;
    if (block) ++statistics_.blocking_enters;
    // With operations waiting for room, wait a quantum at most: then lend them places (if any
    // operation in the kernel can give its place; else there is nothing to do but wait).
    bool lend = block && may_preempt();
    auto taken =
        ring_.enter(to_submit, block ? 1 : 0, lend ? sys::deadline_after(preemption_quantum) : abi::deadline_infinite);
    if (lend && taken.failed_with(base::Error::TimedOut)) {
        if (read_completions() == 0) preempt();
        return {};
    }
    if (taken.failed_with(base::Error::ShouldWait)) {
        // No completion room for what we offered: read completions first, then wait for one if
        // there was none to read.
        ++statistics_.should_wait;
        if (read_completions() == 0 && block) {
            ++statistics_.enters;
            TRY(ring_.enter(0, 1));
        }
    } else if (taken.is_error()) {
        return taken.error();
    }
    read_completions();
    return {};
}

base::ErrorOr<void> Loop::run_until(const Job* target) {
    ASSERT(!polled_job);                   // not from inside a job: a job awaits, it never runs the loop itself
    base::RefPtr<const Job> keep(target);  // its completion is read after it may have been freed
    for (;;) {
        // The jobs ready now, in order; those they wake wait for the next round, after the kernel
        // has had the operations started so far.
        for (usize count = ready_count_; count > 0; --count) {
            Job* job = ready_.pop_front();
            --ready_count_;
            job->queued_ = false;
            poll(*job);
        }
        if (target ? target->is_complete() : live_jobs_ == 0) {
            write_entries();  // hand over what the last polls started (cancels too)
            if (ring_.unsubmitted() > 0) {
                ++statistics_.enters;
                (void)ring_.enter(ring_.unsubmitted(), 0);
            }
            return {};
        }
        TRY(exchange(ready_count_ == 0));
    }
}

base::ErrorOr<void> Loop::shut_down() {
    for (Job* job = jobs_.front(); job; job = jobs_.next(*job)) job->request_cancel();
    return run_until(nullptr);
}

Loop::Statistics Loop::statistics() const {
    Statistics statistics = statistics_;
    statistics.live_jobs = live_jobs_;
    statistics.in_flight = slots_.live();
    statistics.waiting = waiting_count_;
    return statistics;
}

// Executor ----------------------------------------------------------------------------------------

base::ErrorOr<Executor> Executor::create(u32 ring_entries) { return Executor(TRY(Loop::create(ring_entries))); }

Executor::~Executor() {
    if (!loop_) return;
    // If the ring has failed, the jobs' frames are left as they are: the kernel may still write
    // into their buffers. (The task is being killed, or its ring was corrupted.)
    if (loop_->shut_down().is_error()) return;
    loop_->~Loop();
    poplar::deallocate(loop_);
}

}  // namespace poplar::async
