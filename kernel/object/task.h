#pragma once

// A task: an address space, a handle table and its threads. It ends by exiting, by being killed
// or by faulting; then its threads stop, its handles close, its memory is freed, the tasks it
// spawned that still run are killed, and waiters see `terminated` with its exit status.

#include <base/intrusive_list.h>
#include <object/address_space.h>
#include <object/handle_table.h>
#include <object/resource_account.h>
#include <object/thread.h>
#include <sched/fair_policy.h>

namespace sched {
class WorkQueue;
}

class Task final : public KernelObject {
public:
    static constexpr ObjectType object_type = ObjectType::Task;
    static constexpr i64 killed_status = -1;

    static base::ErrorOr<base::RefPtr<Task>> create(base::StringView name);
    ~Task() override;
    ObjectType type() const override { return object_type; }

    const char* name() const { return name_; }
    AddressSpace& address_space() { return *address_space_; }
    HandleTable& handles() { return handles_; }
    // What this task has the kernel hold, against its limits (object/resource_account.h).
    ResourceAccount& account() { return *account_; }
    // Makes this task one of `spawner`'s live children until it ends (LimitReached if it has
    // its limit): counted against the spawner's quota, and killed if the spawner ends first.
    base::ErrorOr<void> become_child_of(Task& spawner);

    void add_thread(Thread& thread);
    // Called by the scheduler as each thread exits; the last one tears the task down.
    void thread_exited(Thread& thread);

    // Ends the task with `status`: its threads stop at their next way out of the kernel.
    void kill(i64 status);
    bool has_ended() const { return ended_; }
    i64 exit_status() const { return exit_status_; }

    // User and kernel time of all its threads, live and gone, and kernel work done for it.
    poplar::abi::CpuTime cpu_time();

    // Everything this task's threads and its kernel work run in, for fair scheduling.
    sched::SchedulingGroup& scheduling_group() { return scheduling_group_; }

    // Weights and who may raise them. A task may set its own weight anywhere up to its limit; a
    // task holding another's handle (with `manage`) sets that task's weight and limit, up to its
    // own limit. A new task starts at the default weight, or its spawner's limit if lower. So no
    // task can give itself, or anyone, a larger share than its spawner had to give.
    base::ErrorOr<void> set_weight(u64 weight, const Task& setter);
    void inherit_weight_limit(const Task& spawner);
    // For the first task only (init, trusted with every share).
    void set_root_weight_limit() { weight_limit_ = sched::SchedulingGroup::max_weight; }

    // The queue of kernel async work done on this task's behalf (created on first use).
    base::ErrorOr<sched::WorkQueue*> work_queue();

    base::ListNode child_node;  // on its spawner's list of children

private:
    Task();
    void tear_down();
    void announce_end();
    void leave_spawner();
    void kill_children();

    using ThreadList = base::IntrusiveList<Thread, &Thread::task_node>;

    char name_[poplar::abi::max_name_bytes] = {};
    base::RefPtr<AddressSpace> address_space_;
    base::RefPtr<ResourceAccount> account_;
    base::RefPtr<ResourceAccount> spawner_account_;  // charged one live child while this runs
    Task* spawner_ = nullptr;                        // while both run; cleared by either's end
    base::IntrusiveList<Task, &Task::child_node> children_;
    HandleTable handles_;
    ThreadList threads_;
    bool dying_ = false;
    bool ended_ = false;
    i64 exit_status_ = 0;
    u64 finished_user_cycles_ = 0;
    u64 finished_kernel_cycles_ = 0;
    sched::SchedulingGroup scheduling_group_;
    u32 weight_limit_ = sched::SchedulingGroup::default_weight;
    sched::WorkQueue* work_queue_ = nullptr;
    u64 finished_work_cycles_ = 0;
};
