#pragma once

// The kernel as a client of a service (kernel -> user): one Caller per session, calls one at a
// time. A small request of bytes alone is encoded into the caller and written straight into the
// provider's waiting buffer (or queued), and a small reply is copied straight into the caller's
// buffer while the job waits: such a call allocates nothing but its coroutine frame, and the CPU
// goes to the provider the moment the worker has nothing left to poll (as a user's channel_call
// hands it to its server). Larger requests go as messages (ipc::call).
//
//   ipc::Caller<Supervisor> caller(session);
//   auto reply = CO_TRY(co_await caller.call(request, deadline));   // borrows from caller
//
// Outcomes: the reply; MalformedMessage for one that does not decode; TimedOut at the deadline;
// PeerClosed when the provider goes; Cancelled with the job; ShouldWait when the provider's queue
// is full (it is not taking requests).

#include <async/kernel_awaitables.h>
#include <ipc/protocol.h>
#include <ipc/ptah_message.h>
#include <ptah/protocol.h>
#include <sched/work_queue.h>

namespace ipc {

template <ptah::Protocol P>
class Caller {
public:
    using Request = typename P::Request;
    using Response = typename P::Response;

    explicit Caller(base::RefPtr<Channel> channel) : channel_(base::move(channel)) {}
    Caller(const Caller&) = delete;
    Caller& operator=(const Caller&) = delete;

    // co_await call(request, deadline): see above. The reply borrows from this caller until its
    // next call.
    async::Task<base::ErrorOr<Response>> call(const Request& request, u64 deadline = async::no_deadline) {
        auto small = encode_small(request);
        if (small.is_error()) {
            auto reply = CO_TRY(co_await ipc::call<P>(channel_, request, deadline));
            reply_message_ = base::move(reply.message);
            co_return base::move(reply.value);
        }
        co_return co_await SmallCall(*this, small.value(), deadline);
    }

private:
    class SmallCall {
    public:
        SmallCall(Caller& caller, usize request_size, u64 deadline)
            : caller_(caller),
              request_size_(request_size),
              wait_(caller.channel_, base::Bytes(caller.reply_bytes_, sizeof(caller.reply_bytes_)), deadline) {}

        // Sends the request; ready at once when that fails (or the reply is somehow there).
        bool await_ready() {
            sent_ = caller_.send(request_size_);
            return sent_.is_error() || wait_.await_ready();
        }
        void await_suspend(std::coroutine_handle<> handle) { wait_.await_suspend(handle); }
        base::ErrorOr<Response> await_resume() {
            TRY(sent_);
            TRY(wait_.await_resume());
            return caller_.take_reply(wait_);
        }

    private:
        Caller& caller_;
        usize request_size_;
        async::ChannelReadAwaiter wait_;
        base::ErrorOr<void> sent_;
    };

    // The request encoded into request_bytes_ (its size), or an error when it is not bytes alone
    // or does not fit.
    base::ErrorOr<usize> encode_small(const Request& request) {
        ptah::HandleList handles;
        auto size = ptah::encode(request, base::Bytes(request_bytes_, sizeof(request_bytes_)), handles);
        if (size.is_error() || size.value().handles != 0) return base::Error::InvalidArgument;
        return size.value().bytes;
    }

    base::ErrorOr<void> send(usize size) {
        if (async::current_job_cancelled()) return base::Error::Cancelled;
        sched::WorkQueue::hand_off_next_wake();
        return channel_->write_bytes(base::ReadonlyBytes(request_bytes_, size), nullptr);
    }

    // The reply the wait ended with: copied into reply_bytes_, or queued as a message.
    base::ErrorOr<Response> take_reply(const async::ChannelReadAwaiter& wait) {
        BoundedAllocator allocator(0);  // replies the kernel reads own no memory
        reply_message_ = MessagePointer();
        if (wait.delivered())
            return decode_bytes<Response>(base::ReadonlyBytes(reply_bytes_, wait.delivered_bytes()), allocator);
        auto queued = channel_->read();
        // Woken with nothing to read: the only reader here is this one, so the deadline passed.
        if (queued.failed_with(base::Error::ShouldWait)) return base::Error::TimedOut;
        reply_message_ = TRY(base::move(queued));
        return decode_message<Response>(*reply_message_.get(), allocator);
    }

    base::RefPtr<Channel> channel_;
    alignas(8) u8 request_bytes_[Channel::direct_message_limit];
    alignas(8) u8 reply_bytes_[Channel::direct_message_limit];
    MessagePointer reply_message_;  // a reply that came queued, which the decoded value borrows
};

}  // namespace ipc
