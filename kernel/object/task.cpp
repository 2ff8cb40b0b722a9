#include <base/narrow.h>
#include <debug/log.h>
#include <mm/heap.h>
#include <object/task.h>
#include <sched/scheduler.h>
#include <sched/work_queue.h>
#include <services/task_exits.h>
#include <time/clock.h>

IrqSpinLock Task::spawn_tree_lock;

static_assert(Task::max_ancestors == services::ExitRecord::max_ancestors, "an exit record holds a task's ancestors");

Task::Task() : KernelObject(object_type) {}

Task::~Task() {
    ASSERT(threads_.is_empty() && children_.is_empty());
    leave_spawner();  // a task prepared but never started is still its spawner's child
}

void Task::leave_spawner() {
    {
        IrqSpinLockGuard guard(spawn_tree_lock);
        if (spawner_) spawner_->children_.remove(*this);
        spawner_ = nullptr;
    }
    if (spawner_account_) base::exchange(spawner_account_, nullptr)->release(Resource::LiveChildren, 1);
}

// A task's children end with it, so nothing it started outlives it unseen (a task meant to
// outlive its spawner is started by one that stays, such as init).
void Task::kill_children() {
    IrqSpinLockGuard guard(spawn_tree_lock);
    children_closed_ = true;
    while (Task* child = children_.pop_front()) {
        child->spawner_ = nullptr;
        child->kill(killed_status);
    }
}

base::ErrorOr<base::RefPtr<Task>> Task::create(base::StringView name) {
    auto space = TRY(AddressSpace::create());
    auto account = TRY(ResourceAccount::create());
    auto* task = new (std::nothrow) Task();
    if (!task) return base::Error::NoMemory;
    task->account_ = base::move(account);
    usize length = base::min(name.length(), sizeof(task->name_) - 1);
    __builtin_memcpy(task->name_, name.data(), length);
    task->scheduling_group_.name = task->name_;
    task->address_space_ = base::move(space);
    return base::adopt_ref(task);
}

void Task::add_thread(Thread& thread) {
    IrqSpinLockGuard guard(lock_);
    threads_.push_back(thread);
}

bool Task::kill(i64 status) {
    IrqSpinLockGuard guard(lock_);
    if (dying_) return false;
    dying_ = true;
    exit_status_ = status;
    for (Thread& thread : threads_) {
        thread.request_kill();
        sched::expedite_kill(thread);
    }
    return true;
}

void Task::thread_exited(Thread& thread) {
    bool last;
    {
        IrqSpinLockGuard guard(lock_);
        threads_.remove(thread);
        finished_user_cycles_ += thread.user_cycles;
        last = threads_.is_empty();
        dying_ = true;
    }
    if (last) tear_down();
    {
        // Its kernel time, the teardown included, is counted before anyone sees `terminated`.
        IrqSpinLockGuard guard(lock_);
        finished_kernel_cycles_ += thread.settle_kernel_cycles();
    }
    if (last) announce_end();
}

void Task::tear_down() {
    // First, so that nothing this task started goes on running while it is torn down.
    kill_children();
    // The teardown runs on the task's own share, but never on less than the default: a task must
    // not make its own end slow (and its children's) by lowering its weight first.
    sched::raise_weight(scheduling_group_, sched::SchedulingGroup::default_weight);
    sched::WorkQueue* queue;
    {
        IrqSpinLockGuard guard(lock_);
        queue = base::exchange(work_queue_, nullptr);
        if (queue) finished_work_cycles_ = queue->worker_cycles();
    }
    if (queue) queue->shut_down();  // its jobs are cancelled; the worker frees it
    handles_.release();             // a handle to an ended task pins only the task object, not its table
    address_space_.clear();
    leave_spawner();
}

void Task::announce_end() {
    i64 status;
    {
        IrqSpinLockGuard guard(lock_);
        ended_ = true;
        status = exit_status_;
    }
    log::debug("task {} ended with status {}", name_, status);
    update_signals(poplar::abi::signals::terminated, 0);
    services::task_exits::record(*this, status);
}

bool Task::has_ended() const {
    IrqSpinLockGuard guard(lock_);
    return ended_;
}

i64 Task::exit_status() const {
    IrqSpinLockGuard guard(lock_);
    return exit_status_;
}

// Each thread's counters are updated by the thread itself on its CPU: read here whole (aligned
// words), if a moment stale.
poplar::abi::CpuTime Task::cpu_time() {
    IrqSpinLockGuard guard(lock_);
    u64 user = finished_user_cycles_, kernel = finished_kernel_cycles_;
    for (Thread& thread : threads_) {
        user += thread.user_cycles;
        kernel += thread.kernel_cycles;
    }
    u64 work = work_queue_ ? work_queue_->worker_cycles() : finished_work_cycles_;
    return {time::cycles_to_nanoseconds(user), time::cycles_to_nanoseconds(kernel), time::cycles_to_nanoseconds(work)};
}

Task::Snapshot Task::snapshot() {
    Snapshot snapshot{id(), spawner_ ? spawner_->id() : 0, {}, false, 0, cpu_time()};
    __builtin_memcpy(snapshot.name, name_, sizeof(snapshot.name));  // the task may go once the walk ends
    IrqSpinLockGuard guard(lock_);
    snapshot.dying = dying_;
    snapshot.exit_status = exit_status_;
    return snapshot;
}

u32 Task::weight_limit() const {
    IrqSpinLockGuard guard(lock_);
    return weight_limit_;
}

base::ErrorOr<void> Task::set_weight(u64 weight, const Task& setter) {
    if (weight == 0 || weight > sched::SchedulingGroup::max_weight) return base::Error::InvalidArgument;
    // Another task's limit is read under its own lock first: no two task locks are ever held.
    if (&setter != this && weight > setter.weight_limit()) return base::Error::AccessDenied;
    IrqSpinLockGuard guard(lock_);
    if (&setter == this && weight > weight_limit_) return base::Error::AccessDenied;
    sched::set_weight(scheduling_group_, base::narrow<u32>(weight));
    if (&setter != this) weight_limit_ = base::narrow<u32>(weight);
    return {};
}

base::ErrorOr<void> Task::become_child_of(Task& spawner) {
    ASSERT(!spawner_account_);
    TRY(spawner.account().charge(Resource::LiveChildren, 1));
    spawner_account_ = spawner.account_;
    ancestor_count_ = services::ancestors_of_child(spawner.id(), spawner.ancestors(), ancestors_);
    {
        IrqSpinLockGuard guard(spawn_tree_lock);
        ASSERT(!spawner_);
        // A spawner's kernel work (a kernel.tasks session) may run a moment after its teardown
        // began: nothing joins a tree that the teardown has emptied already.
        if (!spawner.children_closed_) {
            spawner_ = &spawner;
            spawner.children_.push_back(*this);
            return {};
        }
    }
    base::exchange(spawner_account_, nullptr)->release(Resource::LiveChildren, 1);
    return base::Error::BadState;
}

base::RefPtr<Task> Task::spawner() const {
    // A spawner still linked has not been torn down, so it is referenced by its running threads.
    IrqSpinLockGuard guard(spawn_tree_lock);
    return base::RefPtr<Task>(spawner_);
}

void Task::set_origin(base::StringView arguments, u32 restarts) {
    arguments_length_ = base::min(arguments.length(), sizeof(arguments_));
    __builtin_memcpy(arguments_, arguments.data(), arguments_length_);
    restarts_ = restarts;
}

void Task::inherit_weight_limit(const Task& spawner) {
    u32 spawner_limit = spawner.weight_limit();
    IrqSpinLockGuard guard(lock_);
    weight_limit_ = base::min(weight_limit_, spawner_limit);
    sched::set_weight(scheduling_group_, weight_limit_);
}

void Task::set_root_weight_limit() {
    IrqSpinLockGuard guard(lock_);
    weight_limit_ = sched::SchedulingGroup::max_weight;
}

base::ErrorOr<sched::WorkQueue*> Task::work_queue() {
    IrqSpinLockGuard guard(lock_);  // two threads asking at once get one queue
    if (!work_queue_) {
        if (dying_) return base::Error::BadState;
        work_queue_ = TRY(sched::WorkQueue::create(scheduling_group_, name_, base::RefPtr<Task>(this)));
    }
    return work_queue_;
}
