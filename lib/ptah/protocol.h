#pragma once

// A protocol is a name and the two variants spoken over a channel:
//
//   struct Echo {
//       static constexpr base::StringView name = "poplar.echo";
//       using Request = ptah::Variant<Ping, Shutdown>;
//       using Response = ptah::Variant<Pong, Done>;     // or ptah::NoReply for one-way messages
//   };
//
// Client<P, C> turns a call into encode, send, receive, decode. Server<P, Handler> receives a request and
// calls handler.handle(alternative) for whichever alternative arrived; handle returns the Response (or
// base::ErrorOr<Response>; void or ErrorOr<void> for a one-way protocol). Errors at this level are
// base::Error: transport errors as the channel gave them, Ptah failures through to_system_error.
// Code that drives channels itself (e.g. the kernel's async services) can use dispatch<P> directly.

#include <base/string_view.h>
#include <ptah/channel.h>

namespace ptah {

// The Response of a protocol whose requests get no reply.
struct NoReply {
    bool operator==(const NoReply&) const = default;
};

template <typename P>
concept Protocol = requires {
    typename P::Request;
    typename P::Response;
    base::StringView(P::name);
};

template <typename P>
concept OneWayProtocol = Protocol<P> && std::is_same_v<typename P::Response, NoReply>;

template <Protocol P, Channel C, usize Capacity = kDefaultMessageCapacity>
class Client {
public:
    using Request = typename P::Request;
    using Response = typename P::Response;

    // `options` decode the replies (an allocator is needed only if a reply owns memory).
    explicit Client(C& channel, DecodeOptions options = {}) : channel_(channel), options_(options) {}

    base::ErrorOr<void> send(const Request& request) {
        TRY(to_system_result(buffer_.encode(request)));
        return buffer_.send_on(channel_);
    }

    // The reply may borrow from the client's buffer: it is valid until the next call.
    base::ErrorOr<Response> call(const Request& request) requires(!OneWayProtocol<P>) {
        if constexpr (CallingChannel<C>) {
            TRY(to_system_result(buffer_.encode(request)));
            TRY(buffer_.call_on(channel_));
        } else {
            TRY(send(request));
            TRY(buffer_.receive_from(channel_));
        }
        return to_system_result(buffer_.template decode<Response>(options_));
    }

    // The last reply's handles (for closing those a caller does not keep).
    const HandleList& reply_handles() const { return buffer_.handles(); }

private:
    C& channel_;
    DecodeOptions options_;
    MessageBuffer<Capacity> buffer_;
};

namespace detail {
template <typename Response, typename Handler, typename Request>
base::ErrorOr<Response> reply_of(Handler& handler, const Request& request) {
    using Returned = decltype(handler.handle(request));
    if constexpr (std::is_void_v<Returned>) {
        handler.handle(request);
        return Response{};
    } else if constexpr (std::is_same_v<Returned, base::ErrorOr<void>>) {
        TRY(handler.handle(request));
        return Response{};
    } else {
        return handler.handle(request);
    }
}
}  // namespace detail

// Hands a decoded request to the handler's overload for its alternative.
template <Protocol P, typename Handler>
base::ErrorOr<typename P::Response> dispatch(const typename P::Request& request, Handler& handler) {
    base::ErrorOr<typename P::Response> reply = base::Error::Internal;  // every alternative assigns it
    request.visit(
        [&](const auto& alternative) { reply = detail::reply_of<typename P::Response>(handler, alternative); });
    return reply;
}

template <Protocol P, typename Handler, usize Capacity = kDefaultMessageCapacity>
class Server {
public:
    explicit Server(Handler& handler, DecodeOptions options = {}) : handler_(handler), options_(options) {}

    // Receives one request and answers it (unless the protocol is one-way). A malformed request gives
    // base::Error::MalformedMessage and no reply; its handles stay in last_request() for the caller to close.
    template <Channel C>
    base::ErrorOr<void> serve_one(C& channel) {
        TRY(request_.receive_from(channel));
        auto request = TRY(to_system_result(request_.template decode<typename P::Request>(options_)));
        auto reply = TRY(dispatch<P>(request, handler_));
        if constexpr (!OneWayProtocol<P>) {
            // A reply may borrow from the request (an echo), so it gets its own buffer.
            TRY(to_system_result(reply_.encode(reply)));
            TRY(reply_.send_on(channel));
        }
        return {};
    }

    const MessageBuffer<Capacity>& last_request() const { return request_; }

private:
    Handler& handler_;
    DecodeOptions options_;
    MessageBuffer<Capacity> request_;
    MessageBuffer<Capacity> reply_;
};

}  // namespace ptah
