#pragma once

// A task: an address space, a handle table and its threads. It ends by exiting, by being killed
// or by faulting; then its threads stop, its handles close, its memory is freed, the tasks it
// spawned that still run are killed, and waiters see `terminated` with its exit status.

#include <base/intrusive_list.h>
#include <object/address_space.h>
#include <object/handle_table.h>
#include <object/resource_account.h>
#include <object/thread.h>
#include <poplar/abi/syscalls.h>
#include <sched/fair_policy.h>

namespace sched {
class WorkQueue;
}

class Task final : public KernelObject {
public:
    static constexpr ObjectType object_type = ObjectType::Task;
    static constexpr i64 killed_status = poplar::abi::killed_status;
    // The rights of the handle a spawner gets to its new task (task_spawn, kernel.tasks' Spawn).
    static constexpr u32 spawn_rights = poplar::abi::rights::duplicate | poplar::abi::rights::transfer |
                                        poplar::abi::rights::read | poplar::abi::rights::wait |
                                        poplar::abi::rights::manage;
    static constexpr usize max_ancestors = 8;

    static base::ErrorOr<base::RefPtr<Task>> create(base::StringView name);
    ~Task() override;
    ObjectType type() const override { return object_type; }

    const char* name() const { return name_; }
    // Where it came from, so that a supervisor can have it started again (kernel/supervision):
    // its boot module is its name; its argument text and how often it was restarted are set
    // before it starts.
    base::StringView arguments() const { return base::StringView(arguments_, arguments_length_); }
    u32 restarts() const { return restarts_; }
    void set_origin(base::StringView arguments, u32 restarts);
    AddressSpace& address_space() { return *address_space_; }
    HandleTable& handles() { return handles_; }
    // What this task has the kernel hold, against its limits (object/resource_account.h).
    ResourceAccount& account() { return *account_; }
    // Makes this task one of `spawner`'s live children until it ends (LimitReached if it has
    // its limit): counted against the spawner's quota, and killed if the spawner ends first.
    // BadState once the spawner has ended (its children were killed; this one would run on).
    base::ErrorOr<void> become_child_of(Task& spawner) EXCLUDES(spawn_tree_lock);
    // The task that spawned this one, while both run; else null.
    base::RefPtr<Task> spawner() const EXCLUDES(spawn_tree_lock);
    // The ids of the tasks above it when it was spawned, its spawner first (the nearest
    // max_ancestors - 1 and the root, for a deeper task): fixed before it starts.
    base::Span<const u64> ancestors() const { return {ancestors_, ancestor_count_}; }

    // What a look at a task in the spawn tree sees (kernel.tasks' List).
    struct Snapshot {
        u64 id;
        u64 parent_id;  // 0 without a live spawner
        char name[poplar::abi::max_name_bytes];
        bool dying;
        i64 exit_status;
        poplar::abi::CpuTime cpu_time;
    };
    // Calls `visit` with each live task of the subtree under `root` (root included), in no
    // particular order, under the spawn tree's lock: `visit` must not block or take that lock.
    template <typename Visitor>
    static void visit_subtree(Task& root, Visitor&& visit) EXCLUDES(spawn_tree_lock) {
        IrqSpinLockGuard guard(spawn_tree_lock);
        Task* task = &root;
        for (;;) {
            visit(task->snapshot());
            if (Task* child = task->children_.front()) {
                task = child;
                continue;
            }
            // Up until a task has a next sibling; the walk ends back at the root.
            while (task != &root) {
                Task* sibling = task->spawner_->children_.next(*task);
                if (sibling) break;
                task = task->spawner_;
            }
            if (task == &root) return;
            task = task->spawner_->children_.next(*task);
        }
    }

    void add_thread(Thread& thread) EXCLUDES(lock_);
    // Called by the scheduler as each thread exits; the last one tears the task down.
    void thread_exited(Thread& thread) EXCLUDES(lock_);

    // Ends the task with `status`: its threads stop at their next way out of the kernel. False if
    // it was ending already (its status stays).
    bool kill(i64 status) EXCLUDES(lock_);
    bool has_ended() const EXCLUDES(lock_);
    i64 exit_status() const EXCLUDES(lock_);

    // User and kernel time of all its threads, live and gone, and kernel work done for it.
    poplar::abi::CpuTime cpu_time() EXCLUDES(lock_);

    // Everything this task's threads and its kernel work run in, for fair scheduling.
    sched::SchedulingGroup& scheduling_group() { return scheduling_group_; }

    // Weights and who may raise them. A task may set its own weight anywhere up to its limit; a
    // task holding another's handle (with `manage`) sets that task's weight and limit, up to its
    // own limit. A new task starts at the default weight, or its spawner's limit if lower. So no
    // task can give itself, or anyone, a larger share than its spawner had to give.
    base::ErrorOr<void> set_weight(u64 weight, const Task& setter) EXCLUDES(lock_);
    void inherit_weight_limit(const Task& spawner) EXCLUDES(lock_);
    // For the first task only (init, trusted with every share).
    void set_root_weight_limit() EXCLUDES(lock_);

    // The queue of kernel async work done on this task's behalf (created on first use).
    base::ErrorOr<sched::WorkQueue*> work_queue() EXCLUDES(lock_);

    base::ListNode child_node;  // on its spawner's list of children

private:
    Task();
    void tear_down() EXCLUDES(lock_);
    void announce_end() EXCLUDES(lock_);
    void leave_spawner() EXCLUDES(spawn_tree_lock);
    void kill_children() EXCLUDES(spawn_tree_lock);
    u32 weight_limit() const EXCLUDES(lock_);
    Snapshot snapshot() REQUIRES(spawn_tree_lock) EXCLUDES(lock_);

    using ThreadList = base::IntrusiveList<Thread, &Thread::task_node>;

    // Guards every task's place in the spawn tree (spawner_, children_): a link has a task at
    // each end, so one lock for the tree rather than two task locks in some order. Taken before
    // task locks (kill_children kills under it).
    static IrqSpinLock spawn_tree_lock;

    char name_[poplar::abi::max_name_bytes] = {};
    base::RefPtr<AddressSpace> address_space_;
    base::RefPtr<ResourceAccount> account_;
    // Set before the task starts, dropped by its teardown or its destruction (never both at once).
    base::RefPtr<ResourceAccount> spawner_account_;        // charged one live child while this runs
    Task* spawner_ GUARDED_BY(spawn_tree_lock) = nullptr;  // while both run; cleared by either's end
    base::IntrusiveList<Task, &Task::child_node> children_ GUARDED_BY(spawn_tree_lock);
    bool children_closed_ GUARDED_BY(spawn_tree_lock) = false;  // set by its teardown
    u64 ancestors_[max_ancestors] = {};                         // set by become_child_of, before the task starts
    usize ancestor_count_ = 0;
    char arguments_[poplar::abi::StartInfo::max_arguments] = {};
    usize arguments_length_ = 0;
    u32 restarts_ = 0;
    HandleTable handles_;
    // Guards the threads, the end of the task and its counters; taken before the scheduler's
    // lock (a kill wakes the threads). An IrqSpinLock, as every kernel lock: a holder must not be
    // preempted (docs/architecture.md, "Locking").
    mutable IrqSpinLock lock_;
    ThreadList threads_ GUARDED_BY(lock_);
    bool dying_ GUARDED_BY(lock_) = false;
    bool ended_ GUARDED_BY(lock_) = false;
    i64 exit_status_ GUARDED_BY(lock_) = 0;
    u64 finished_user_cycles_ GUARDED_BY(lock_) = 0;
    u64 finished_kernel_cycles_ GUARDED_BY(lock_) = 0;
    sched::SchedulingGroup scheduling_group_;  // its weight changes under the scheduler's lock
    u32 weight_limit_ GUARDED_BY(lock_) = sched::SchedulingGroup::default_weight;
    sched::WorkQueue* work_queue_ GUARDED_BY(lock_) = nullptr;
    u64 finished_work_cycles_ GUARDED_BY(lock_) = 0;
};
