#include <async/executor.h>

namespace async {
namespace {

Job* polling_job() { return static_cast<Job*>(platform::current_job_slot()); }

}  // namespace

Waker::Waker(Job* job) : job_(job) {
    if (job_) job_->ref();
}
Waker::Waker(const Waker& other) : Waker(other.job_) {}
Waker& Waker::operator=(const Waker& other) {
    Waker copy(other);
    base::swap(job_, copy.job_);
    return *this;
}
Waker::~Waker() {
    if (job_ && job_->unref()) delete job_;
}
void Waker::wake() const {
    if (job_) job_->executor().schedule(*job_);
}

Job* current_job() { return polling_job(); }
Waker current_waker() { return Waker(polling_job()); }
bool current_job_cancelled() {
    Job* job = polling_job();
    return job && job->cancel_requested();
}

Job::Job(Executor& executor, std::coroutine_handle<> root) : executor_(executor), root_(root), resume_point_(root) {}

Job::~Job() { ASSERT(!ready_node.is_linked() && !all_node.is_linked()); }

void Job::request_cancel() {
    if (complete_) return;
    cancel_requested_ = true;
    executor_.schedule(*this);
}

Executor::~Executor() { ASSERT(live_jobs_ == 0); }

void Executor::adopt_new_job(Job& job) {
    // The executor holds the creation reference until the job completes.
    {
        // Spawning runs wherever the caller is (a system call, say) while the executor's owner may
        // be completing jobs: the counts and the list change together, atomically.
        platform::CriticalSection section;
        ++live_jobs_;
        ++statistics_.spawns;
        jobs_.push_back(job);
    }
    schedule(job);
}

void Executor::schedule(Job& job) {
    bool was_empty;
    {
        platform::CriticalSection section;
        if (job.queued_ || job.complete_) return;
        job.queued_ = true;
        job.ref();  // the ready queue's reference
        was_empty = ready_.is_empty();
        ready_.push_back(job);
        ++statistics_.wakes;
    }
    if (was_empty && ready_hook_) ready_hook_(*this, ready_hook_context_);
}

void Executor::cancel_all() {
    // Cancelling only marks and queues jobs, so the list does not change under us.
    platform::CriticalSection section;
    for (Job& job : jobs_) job.request_cancel();
}

bool Executor::has_ready_jobs() const {
    platform::CriticalSection section;
    return !ready_.is_empty();
}

usize Executor::run(usize max_polls, bool (*should_stop)(void*), void* context) {
    platform::assert_thread_context();
    usize polls = 0;
    while (polls < max_polls) {
        Job* job;
        {
            platform::CriticalSection section;
            job = ready_.pop_front();
            if (!job) break;
            job->queued_ = false;
        }
        base::RefPtr<Job> queue_reference = base::RefPtr<Job>::adopt(job);
        void*& slot = platform::current_job_slot();
        void* outer = base::exchange(slot, job);
        job->resume_point_.resume();
        slot = outer;
        ++polls;
        ++statistics_.polls;
        if (job->root_.done() && !job->complete_) complete(*job);
        if (should_stop && should_stop(context)) break;
    }
    return polls;
}

void Executor::complete(Job& job) {
    bool was_queued;
    {
        platform::CriticalSection section;
        job.complete_ = true;
        --live_jobs_;
        ++statistics_.completions;
        jobs_.remove(job);
        // Woken while its last poll ran (a cancel or a wake from elsewhere, when the poll was
        // preempted): it must not be polled again, its coroutine is finished.
        was_queued = base::exchange(job.queued_, false);
        if (was_queued) ready_.remove(job);
    }
    if (was_queued) base::RefPtr<Job>::adopt(&job).clear();  // the ready queue's reference
    job.completion_waiters_.wake_all();
    base::RefPtr<Job>::adopt(&job).clear();  // the creation reference
}

void YieldNow::await_suspend(std::coroutine_handle<> handle) {
    Job* job = current_job();
    job->set_resume_point(handle);
    job->executor().schedule(*job);
}

base::ErrorOr<void> YieldNow::await_resume() const {
    if (current_job_cancelled()) return base::Error::Cancelled;
    return {};
}

}  // namespace async
