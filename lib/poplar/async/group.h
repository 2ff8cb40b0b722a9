#pragma once

// A group of child jobs that one parent waits for (when_any, with_deadline). The parent's wait
// cannot be cut short: cancelling the parent cancels the children, and the parent still waits for
// them to finish, so no child (nor any kernel operation of one) outlives the parent's frame.

#include <base/intrusive_list.h>
#include <base/ref_counted.h>
#include <poplar/async/job.h>

namespace poplar::async {

class Group final : public Suspension {
public:
    Group() = default;
    Group(const Group&) = delete;
    Group& operator=(const Group&) = delete;
    ~Group();

    // Makes `job` (spawned, not started yet) a member.
    void add(Job& job);
    void cancel_members();

    usize members() const { return members_; }
    usize finished() const { return finished_; }
    // The member that finished first (null before any did).
    const Job* first_finished() const { return first_; }

    // co_await until_first() / until_all(): see the comment at the top; never fails.
    struct Awaiter {
        Group& group;
        bool all;
        bool await_ready() const { return group.satisfied(all); }
        void await_suspend(std::coroutine_handle<> handle);
        void await_resume() const {}
    };
    Awaiter until_first() { return Awaiter{*this, false}; }
    Awaiter until_all() { return Awaiter{*this, true}; }

    void cancel() override;  // the parent was cancelled while waiting

private:
    friend class Loop;
    bool satisfied(bool all) const { return all ? finished_ == members_ : (finished_ > 0 || members_ == 0); }
    void member_finished(Job& job);

    base::IntrusiveList<Job, &Job::group_node> jobs_;
    usize members_ = 0;
    usize finished_ = 0;
    const Job* first_ = nullptr;
    Job* parent_ = nullptr;  // while it waits
    bool waiting_for_all_ = false;
};

}  // namespace poplar::async
