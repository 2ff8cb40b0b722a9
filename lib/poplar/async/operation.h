#pragma once

// One ring operation as the executor tracks it, from the awaitable that starts it until its
// completion has been read. It lives in the awaiting coroutine's frame, and that frame cannot go
// away before the completion came back: a job waiting on an operation resumes only when the
// kernel has completed it, even when the job is cancelled (the kernel may still write into the
// operation's buffers until then).

#include <base/assert.h>
#include <base/intrusive_list.h>
#include <base/result.h>
#include <poplar/abi/ring.h>
#include <poplar/async/suspension.h>
#include <coroutine>

namespace poplar::async {

class Job;
class Loop;

class Operation final : public Suspension {
public:
    enum class State : u8 {
        idle,       // not started
        queued,     // waiting for room in the rings (nothing of it is in the kernel)
        in_kernel,  // written to the submission queue under a live tag
        done,       // its completion has been read (or it never needed the kernel)
    };

    Operation() = default;
    // Its job resumes only once the operation is done, so its frame never goes before.
    ~Operation() { ASSERT(state_ != State::queued && state_ != State::in_kernel); }
    Operation(const Operation&) = delete;
    Operation& operator=(const Operation&) = delete;

    // What to submit; the executor sets the tag.
    abi::RingSubmission entry{};
    // Its completion once done (Cancelled without a system call if the job was cancelled before
    // the operation reached the kernel).
    abi::RingCompletion completion{};

    // Set by awaitables whose operation can be cancelled and submitted again without changing
    // what it does (waits, timeouts, receives, subscribes: a cancelled one took nothing, and its
    // deadline is absolute). The loop may then lend its place in the rings to operations waiting
    // for room (poplar/async/executor.h, "Room in the rings").
    bool restartable = false;

    State state() const { return state_; }
    base::Error error() const { return static_cast<base::Error>(completion.status); }
    bool failed() const { return completion.status != 0; }
    // The status as an ErrorOr of the completion's value.
    base::ErrorOr<u64> result() const {
        if (failed()) return error();
        return completion.value;
    }

    // The awaitable's side: true when it completes without suspending (the job is cancelled).
    bool start_ready();
    void start_suspended(std::coroutine_handle<> handle);

    void cancel() override;

private:
    friend class Loop;

    Job* job_ = nullptr;
    State state_ = State::idle;
    bool cancel_wanted_ = false;  // on the loop's list of cancels to write, or written
    bool preempted_ = false;      // cancelled by the loop to make room: goes back in if Cancelled

public:
    base::ListNode node;         // queued: the loop's waiting list; in_kernel: its list of cancels to write
    base::ListNode kernel_node;  // in_kernel: the loop's list of them, oldest first
};

// The base of every awaitable that is one ring operation: co_await it and read operation().
class OperationAwaiter {
public:
    OperationAwaiter() = default;
    OperationAwaiter(const OperationAwaiter&) = delete;
    OperationAwaiter& operator=(const OperationAwaiter&) = delete;

    bool await_ready() { return operation_.start_ready(); }
    void await_suspend(std::coroutine_handle<> handle) { operation_.start_suspended(handle); }

protected:
    Operation operation_;
};

}  // namespace poplar::async
