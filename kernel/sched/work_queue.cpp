#include <debug/panic.h>
#include <mm/heap.h>
#include <object/task.h>
#include <sched/scheduler.h>
#include <sched/wait.h>
#include <sched/work_queue.h>

namespace sched {
namespace {

// A queue's flags and its executor (whose critical sections only mask interrupts: async/platform.h)
// are shared by the worker, whoever makes work ready, and interrupt handlers: masking interrupts
// guards them on one CPU only. SMP needs a queue lock, which the worker hands to block_current as
// it goes to sleep, so that a wake between its last look and its block is not lost.
static_assert(arch::max_cpus == 1, "a work queue is guarded by masking interrupts");

WorkQueue* kernel_queue = nullptr;

bool slice_used_up(void*) { return sched::reschedule_pending(); }

}  // namespace

SchedulingGroup& kernel_group() {
    static SchedulingGroup group;
    group.name = "kernel";
    return group;
}

WorkQueue& kernel_work_queue() {
    if (!kernel_queue) kernel_queue = MUST(WorkQueue::create(kernel_group(), "kernel-work", nullptr));
    return *kernel_queue;
}

base::ErrorOr<WorkQueue*> WorkQueue::create(SchedulingGroup& group, const char* name, base::RefPtr<Task> owner) {
    auto* queue = new (std::nothrow) WorkQueue();
    if (!queue) return base::Error::NoMemory;
    auto worker = Thread::create_kernel(name, worker_main, queue, group, base::move(owner));
    if (worker.is_error()) {
        delete queue;
        return worker.error();
    }
    queue->worker_ = worker.value().leak();  // the running thread's own reference
    queue->executor_.set_ready_hook(on_ready, queue);
    queue->worker_waiting_ = true;
    return queue;
}

void WorkQueue::on_ready(async::Executor&, void* context) {
    auto* queue = static_cast<WorkQueue*>(context);
    arch::InterruptGuard guard;
    if (queue->worker_waiting_) {
        queue->worker_waiting_ = false;
        if (queue->worker_->wait_state.is_waiting())
            sched::wake(*queue->worker_);
        else
            sched::make_runnable(*queue->worker_);  // first work: the worker has not started yet
    }
}

void WorkQueue::hand_off_next_wake() {
    Thread* thread = current_thread_if_started();
    if (thread && thread->runs(worker_main)) sched::hand_off_next_wake_from_kernel();
}

void WorkQueue::shut_down() {
    arch::InterruptGuard guard;
    shutting_down_ = true;
    executor_.cancel_all();
    if (worker_waiting_) {
        worker_waiting_ = false;
        if (worker_->wait_state.is_waiting())
            sched::wake(*worker_);
        else
            sched::make_runnable(*worker_);
    }
}

void WorkQueue::worker_main(void* context) {
    auto* queue = static_cast<WorkQueue*>(context);
    for (;;) {
        queue->executor_.run(polls_per_turn, slice_used_up, nullptr);
        arch::InterruptGuard guard;
        if (queue->shutting_down_ && queue->executor_.live_jobs() == 0) break;
        if (queue->executor_.has_ready_jobs()) {
            sched::yield();  // a turn is over; the scheduler decides who is due
            continue;
        }
        queue->worker_waiting_ = true;
        MUST(
            sched::wait_until([queue] { return queue->executor_.has_ready_jobs() || queue->shutting_down_; }, ~u64(0)));
        // Running again: a wait that returned at once (shutting down, jobs still unwinding) must not
        // leave the flag set, or on_ready would put a running thread on the run queue a second time.
        queue->worker_waiting_ = false;
    }
    delete queue;
}

}  // namespace sched
