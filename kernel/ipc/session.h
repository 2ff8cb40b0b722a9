#pragma once

// The session loop of every kernel service spoken in Ptah: serves protocol P on a kernel-held
// channel end, one request at a time, until the peer closes (then it returns ok) or the job is
// cancelled. A request that does not decode, or that the handler fails, ends the session
// (MalformedMessage, or the handler's error): the kernel's end is dropped with the job, so the
// client sees peer_closed at once instead of waiting for a reply that will not come.
//
// A handler has an overload of handle for each request, which may also take the exchange:
//
//   struct Handler {
//       P::Response handle(const Request& request);                          // answers at once
//       base::ErrorOr<P::Response> handle(const Request& request, ipc::Exchange& exchange);
//       async::Task<base::ErrorOr<P::Response>> handle(const Request& request); // may wait
//   };
//
// (void or ErrorOr<void> for a one-way protocol.) Only the overloads that return a task cost a
// coroutine frame per request: the steady state of a session allocates nothing (see serve).
//
// A handler takes the handles its request names out of the message (Exchange::take_handle) and
// hands the ones its reply carries to the exchange (add_reply_handle), in the order of the
// reply's handle fields. A reply may borrow from the request, which lives until it is sent, and
// from the handler's members, but not from its locals (those that no suspension spans may live on
// the stack of the poll that ran it). A handler with `void reply_encoded()` has it called once
// the reply needs nothing it borrowed (its bytes are in the channel or in a message).

#include <ipc/protocol.h>
#include <sched/work_queue.h>

namespace ipc {

class Exchange {
public:
    static constexpr usize max_reply_handles = 4;

    explicit Exchange(ResourceAccount* account) : account_(account) {}

    // Starts the exchange of the next request: `request` is the message it came in, or null for
    // one of bytes alone. (One exchange serves a whole session: nothing is built per request.)
    void begin(Message* request) {
        request_ = request;
        if (reply_handle_count_ != 0) drop_reply_handles();
    }

    // The request's handle that a decoded handle field holds (its value), moved out of the message:
    // empty for a value that names none.
    Handle take_handle(ptah::HandleValue value) {
        if (!request_ || value == 0 || value > request_->handle_count()) return {};
        return base::move(request_->handles()[value - 1]);
    }

    // A handle for the reply; returns the value its handle field must hold. InvalidArgument once
    // max_reply_handles are there (the handle is closed).
    base::ErrorOr<ptah::HandleValue> add_reply_handle(Handle handle) {
        if (reply_handle_count_ == max_reply_handles) return base::Error::InvalidArgument;
        reply_handles_[reply_handle_count_] = base::move(handle);
        return handle_value_of(reply_handle_count_++);
    }
    bool has_reply_handles() const { return reply_handle_count_ != 0; }

    // The reply's message, charged to the client's account.
    template <typename Response>
    base::ErrorOr<MessagePointer> encode_reply(const Response& reply) {
        if (reply_handle_count_ == 0) return encode_message(reply);
        return encode_message(reply, base::Span<Handle>(reply_handles_, reply_handle_count_), account_);
    }

private:
    // Those a failed reply left behind.
    [[gnu::noinline]] void drop_reply_handles() {
        for (u32 i = 0; i < reply_handle_count_; ++i) reply_handles_[i] = Handle();
        reply_handle_count_ = 0;
    }

    Message* request_ = nullptr;
    ResourceAccount* account_;
    Handle reply_handles_[max_reply_handles];
    u32 reply_handle_count_ = 0;
};

namespace detail {

template <typename T>
inline constexpr bool is_task = false;
template <typename T>
inline constexpr bool is_task<async::Task<T>> = true;

template <typename Handler, typename Request>
decltype(auto) call_handler(Handler& handler, const Request& request, Exchange& exchange) {
    if constexpr (requires { handler.handle(request, exchange); })
        return handler.handle(request, exchange);
    else
        return handler.handle(request);
}

// The reply of a handler that answered at once.
template <typename Response, typename Handler, typename Request>
base::ErrorOr<Response> answer_now(Handler& handler, const Request& request, Exchange& exchange) {
    using Returned = decltype(call_handler(handler, request, exchange));
    if constexpr (std::is_void_v<Returned>) {
        call_handler(handler, request, exchange);
        return Response{};
    } else if constexpr (std::is_same_v<Returned, base::ErrorOr<void>>) {
        TRY(call_handler(handler, request, exchange));
        return Response{};
    } else {
        return call_handler(handler, request, exchange);
    }
}

// The session's one reader at its end, kept for the whole session: a request of bytes alone is
// copied into `buffer` while it waits. The write of a reply puts it in place in the same step
// (Channel's then_read), so waiting for the next request costs no second trip to the channel.
// It wakes its job directly, with no counted reference: it lives in that job's frame, and is
// taken off the channel before the frame goes.
class SessionReader {
public:
    static constexpr u32 wanted = poplar::abi::signals::readable | poplar::abi::signals::peer_closed;

    SessionReader(Channel& channel, base::Bytes buffer) : channel_(channel) {
        reader_.observer.notify = [](SignalObserver& self) {
            auto* job = static_cast<async::Job*>(self.context);
            job->executor().schedule(*job);
        };
        reader_.observer.context = async::current_job();
        reader_.observer.wanted = wanted;
        reader_.buffer = reinterpret_cast<u64>(buffer.data());
        reader_.byte_capacity = buffer.size();
    }
    ~SessionReader() { stop(); }
    SessionReader(const SessionReader&) = delete;
    SessionReader& operator=(const SessionReader&) = delete;

    // For a write that puts the reader in place as it goes (then_read); placed() once it went.
    ChannelReader* idle_reader() {
        ASSERT(!reading_);
        return &reader_;
    }
    void placed() { reading_ = true; }

    // co_await next(): once a request was copied into the buffer (delivered()), something waits
    // to be read, the peer closed or the job is cancelled; the reader is off the channel after.
    struct Next {
        SessionReader& reader;
        bool await_ready() { return reader.ready(); }
        void await_suspend(std::coroutine_handle<> handle) {
            async::Job* job = async::current_job();
            job->set_resume_point(handle);
            // Put in place by a write before await_ready looked: whatever comes now wakes the job.
            if (reader.reading_) return;
            async::platform::CriticalSection section;
            reader.channel_.add_reader(reader.reader_);
            reader.reading_ = true;
            if (reader.ready()) job->executor().schedule(*job);  // came between await_ready and now
        }
        void await_resume() { reader.stop(); }
    };
    Next next() { return Next{*this}; }

    // A request copied into the buffer and not yet taken (consume_delivery), even once the reader
    // is off the channel: one delivered just before a stop is still served, and first.
    bool delivered() const { return reader_.delivered; }
    void consume_delivery() { reader_.delivered = false; }
    u64 delivered_bytes() const { return reader_.delivered_bytes; }
    u64 delivered_transaction() const { return reader_.delivered_transaction; }

    // Takes the reader off the channel, if it is on it.
    void stop() {
        if (!reading_) return;
        if (!reader_.is_released()) {
            async::platform::CriticalSection section;
            if (!reader_.is_released()) channel_.remove_reader(reader_);
        }
        reading_ = false;
    }

private:
    bool ready() const {
        return async::current_job_cancelled() || reader_.delivered || (reading_ && reader_.is_released()) ||
               (channel_.signals() & wanted);
    }

    Channel& channel_;
    ChannelReader reader_;
    bool reading_ = false;  // on the channel (until released)
};

// Sends a reply of bytes alone without allocating: encoded into `scratch`, then copied straight
// into the client's buffer if it waits for it, or queued. False, with nothing sent, when it must go
// as a message instead: it carries handles or does not fit, or the client's queue is full. Once it
// went, `reader` waits for the next request.
template <typename Response>
base::ErrorOr<bool> write_small_reply(Channel& channel, const Response& reply, u64 transaction, base::Bytes scratch,
                                      ptah::HandleList& handles, SessionReader& reader) {
    auto size = ptah::encode(reply, scratch, handles);
    if (size.is_error() || size.value().handles != 0) return false;  // the slow path reports a real error
    // The client waits for this reply in a call: the CPU goes straight to it once the worker
    // has nothing left to poll, as it would from a user server.
    sched::WorkQueue::hand_off_next_wake();
    // Uncharged, as encode_message's replies of bytes alone are.
    auto written = channel.write_bytes(base::ReadonlyBytes(scratch.data(), size.value().bytes), nullptr,
                                       reader.idle_reader(), transaction);
    if (written.failed_with(base::Error::ShouldWait)) return false;
    TRY(written);
    reader.placed();
    return true;
}

}  // namespace detail

// The session loop. A request of bytes alone is copied by its writer straight into a buffer in this
// frame while the session waits, a handler that answers at once is called directly, and a reply
// of bytes alone goes straight into the client's waiting buffer: a steady-state request allocates
// nothing and takes one poll. Replies are charged to `account` when they carry handles.
template <ptah::Protocol P, typename Handler>
async::Task<base::ErrorOr<void>> serve(base::RefPtr<Channel> channel, Handler& handler,
                                       ResourceAccount* account = nullptr) {
    using Response = typename P::Response;
    alignas(8) u8 request_bytes[Channel::direct_message_limit];
    alignas(8) u8 reply_bytes[Channel::direct_message_limit];
    ptah::HandleList reply_handle_list;  // what encoding a reply of bytes alone finds: none
    BoundedAllocator allocator;          // what a request owns goes back when it is done
    Exchange exchange(account);
    detail::SessionReader reader(*channel, base::Bytes(request_bytes, sizeof(request_bytes)));
    for (;;) {
        MessagePointer message;  // the request, when it was queued
        base::ReadonlyBytes bytes;
        u64 transaction;  // the request's: its reply carries it back (a call waits for it)
        co_await reader.next();
        // Cancelled, even as a request arrived: the session ends with it, as it would a moment later.
        if (async::current_job_cancelled()) co_return base::Error::Cancelled;
        if (reader.delivered()) {
            bytes = base::ReadonlyBytes(request_bytes, reader.delivered_bytes());
            transaction = reader.delivered_transaction();
            reader.consume_delivery();  // the bytes stay until the reader is placed again, after the reply
        } else {
            auto queued = channel->read();
            if (queued.failed_with(base::Error::PeerClosed)) co_return base::ErrorOr<void>{};
            if (queued.failed_with(base::Error::ShouldWait)) continue;  // taken by another reader
            message = CO_TRY(base::move(queued));
            bytes = base::ReadonlyBytes(message->bytes(), message->byte_count());
            transaction = message->transaction();
        }

        auto request = message ? decode_message<typename P::Request>(*message.get(), allocator)
                               : decode_bytes<typename P::Request>(bytes, allocator);
        if (request.is_error()) co_return base::Error::MalformedMessage;
        exchange.begin(message.get());
        base::ErrorOr<Response> reply = base::Error::Internal;  // every alternative assigns it
        async::Task<base::ErrorOr<Response>> waiting;           // a handler that may wait
        bool waits = false;
        request.value().visit([&](const auto& alternative) {
            if constexpr (detail::is_task<decltype(detail::call_handler(handler, alternative, exchange))>) {
                waiting = detail::call_handler(handler, alternative, exchange);
                waits = true;
            } else {
                reply = detail::answer_now<Response>(handler, alternative, exchange);
            }
        });
        if (waits) reply = co_await base::move(waiting);
        if (reply.is_error()) co_return reply.error();

        if constexpr (!ptah::OneWayProtocol<P>) {
            bool sent = false;
            if (!exchange.has_reply_handles())
                sent = CO_TRY(detail::write_small_reply(*channel, reply.value(), transaction,
                                                        base::Bytes(reply_bytes, sizeof(reply_bytes)),
                                                        reply_handle_list, reader));
            MessagePointer reply_message;
            if (!sent) {
                reply_message = CO_TRY(exchange.encode_reply(reply.value()));
                reply_message->set_transaction(transaction);
            }
            if constexpr (requires { handler.reply_encoded(); }) handler.reply_encoded();
            if (!sent) CO_TRY(co_await async::send(channel, base::move(reply_message)));
        }
        // One request per poll when more are queued: a client that keeps the queue full cannot keep
        // the executor. (With none queued, the next request is waited for, which ends the poll.)
        if (channel->signals() & poplar::abi::signals::readable) {
            reader.stop();
            CO_TRY(co_await async::yield_now());
        }
    }
}

}  // namespace ipc
