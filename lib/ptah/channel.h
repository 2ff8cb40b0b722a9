#pragma once

// What the protocol helpers need from a transport. Kernel and user space each supply their own channel
// type; host tests use an in-memory one. A channel moves one message at a time: its bytes plus its
// out-of-band handles (TransferredHandle: the handle value, and on receive the object type the kernel
// reports for it, which typed Handle<> fields are checked against).
//
//   struct MyChannel {
//       base::ErrorOr<void> send(base::ReadonlyBytes bytes, base::Span<const ptah::TransferredHandle> handles);
//       // Fills the buffers with the next message; says how much of each it used.
//       base::ErrorOr<ptah::MessageSize> receive(base::Bytes bytes, base::Span<ptah::TransferredHandle> handles);
//   };

#include <base/result.h>
#include <ptah/ptah.h>

namespace ptah {

template <typename A, typename B>
concept SameAs = std::is_same_v<A, B> && std::is_same_v<B, A>;

template <typename C>
concept Channel = requires(C& channel, base::ReadonlyBytes bytes, base::Span<const TransferredHandle> handles,
                           base::Bytes byte_buffer, base::Span<TransferredHandle> handle_buffer) {
    { channel.send(bytes, handles) } -> SameAs<base::ErrorOr<void>>;
    { channel.receive(byte_buffer, handle_buffer) } -> SameAs<base::ErrorOr<MessageSize>>;
};

// A channel that can also send a request and receive its reply in one step (a system call that
// does both). Client::call uses it when the transport has it.
template <typename C>
concept CallingChannel = Channel<C> &&
    requires(C& channel, base::ReadonlyBytes bytes, base::Span<const TransferredHandle> handles,
             base::Bytes byte_buffer, base::Span<TransferredHandle> handle_buffer) {
    { channel.call(bytes, handles, byte_buffer, handle_buffer) } -> SameAs<base::ErrorOr<MessageSize>>;
};

// Poplar's largest message.
inline constexpr usize kDefaultMessageCapacity = 4096;

template <typename T>
base::ErrorOr<T> to_system_result(base::Result<T, Error>&& result) {
    if (result.is_error()) return to_system_error(result.error());
    if constexpr (std::is_void_v<T>)
        return {};
    else
        return result.release_value();
}

// One message's bytes and handles, with room for the largest message of `Capacity` bytes.
template <usize Capacity = kDefaultMessageCapacity>
class MessageBuffer {
public:
    template <typename T>
    base::Result<void, Error> encode(const T& value) {
        size_ = TRY(ptah::encode(value, base::Bytes(bytes_, Capacity), handles_)).bytes;
        return {};
    }

    // The result may borrow from this buffer: use it before the next receive or encode.
    template <typename T>
    base::Result<T, Error> decode(const DecodeOptions& options) const {
        return ptah::decode<T>(bytes(), handles_.view(), options);
    }

    template <Channel C>
    base::ErrorOr<void> send_on(C& channel) const {
        return channel.send(bytes(), handles_.view());
    }

    template <Channel C>
    base::ErrorOr<void> receive_from(C& channel) {
        MessageSize received = TRY(channel.receive(base::Bytes(bytes_, Capacity), handles_.storage()));
        if (received.bytes > Capacity || received.handles > kMaxHandles) return base::Error::Internal;
        size_ = received.bytes;
        handles_.set_size(received.handles);
        return {};
    }

    // Sends this message and replaces it with the reply. The transport takes the request in before
    // it writes the reply, so one buffer serves both.
    template <CallingChannel C>
    base::ErrorOr<void> call_on(C& channel) {
        MessageSize received =
            TRY(channel.call(bytes(), handles_.view(), base::Bytes(bytes_, Capacity), handles_.storage()));
        if (received.bytes > Capacity || received.handles > kMaxHandles) return base::Error::Internal;
        size_ = received.bytes;
        handles_.set_size(received.handles);
        return {};
    }

    base::ReadonlyBytes bytes() const { return {bytes_, size_}; }
    const HandleList& handles() const { return handles_; }

private:
    u8 bytes_[Capacity];
    usize size_ = 0;
    HandleList handles_;
};

}  // namespace ptah
