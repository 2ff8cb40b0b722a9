#pragma once

// Ptah values in kernel messages. Inside the kernel a Ptah handle value names a handle of the
// message itself (1 for its first, 2 for its second...), so decoding never touches a task's
// handle table: whoever handles the request takes the handles it wants out of the message.

#include <ipc/bounded_allocator.h>
#include <object/message.h>
#include <ptah/channel.h>
#include <ptah/ptah.h>

namespace ipc {

// The handle value a decoded Ptah handle field has for the message's handle `index`.
constexpr ptah::HandleValue handle_value_of(u32 index) { return index + 1; }

// A message holding `value`, bytes only: a value with handle fields needs the overload below
// (NotSupported here).
template <typename T>
base::ErrorOr<MessagePointer> encode_message(const T& value) {
    auto size = TRY(ptah::to_system_result(ptah::encoded_size(value)));
    if (size.handles != 0) return base::Error::NotSupported;
    if (size.bytes > poplar::abi::max_message_bytes) return base::Error::InvalidArgument;  // nobody could receive it
    MessagePointer message = TRY(Message::create(static_cast<u32>(size.bytes), 0));
    ptah::HandleList handles;
    TRY(ptah::to_system_result(ptah::encode(value, base::Bytes(message->bytes(), size.bytes), handles)));
    return message;
}

// A message holding `value`, whose handle fields name `handles` in order (handle_value_of(0) the
// first...): they move into the message once nothing can fail. The message is charged to `account`,
// if given, as a task's send would be.
template <typename T>
base::ErrorOr<MessagePointer> encode_message(const T& value, base::Span<Handle> handles, ResourceAccount* account) {
    auto size = TRY(ptah::to_system_result(ptah::encoded_size(value)));
    if (size.handles != handles.size()) return base::Error::InvalidArgument;
    if (size.bytes > poplar::abi::max_message_bytes) return base::Error::InvalidArgument;
    MessagePointer message =
        TRY(Message::create(static_cast<u32>(size.bytes), static_cast<u32>(handles.size()), account));
    ptah::HandleList encoded_handles;
    TRY(ptah::to_system_result(ptah::encode(value, base::Bytes(message->bytes(), size.bytes), encoded_handles)));
    for (usize i = 0; i < handles.size(); ++i) message->handles()[i] = base::move(handles[i]);
    return message;
}

// Decodes a T from `message`; the value may borrow the message's bytes, so it must not outlive
// it. Owning fields come from `allocator`, within its budget.
template <typename T>
base::ErrorOr<T> decode_message(Message& message, BoundedAllocator& allocator) {
    ptah::TransferredHandle handles[ptah::kMaxHandles];
    if (message.handle_count() > ptah::kMaxHandles) return base::Error::MalformedMessage;
    for (u32 i = 0; i < message.handle_count(); ++i) {
        const auto& object = message.handles()[i].object();
        handles[i] = {handle_value_of(i),
                      static_cast<ptah::ObjectTypeTag>(object ? object->object_type() : ObjectType{})};
    }
    ptah::DecodeOptions options{&allocator, {}};
    return ptah::to_system_result(
        ptah::decode<T>(base::ReadonlyBytes(message.bytes(), message.byte_count()),
                        base::Span<const ptah::TransferredHandle>(handles, message.handle_count()), options));
}

// Decodes a T from a message of bytes alone (one copied straight into a reader's buffer); the
// value may borrow `bytes`.
template <typename T>
base::ErrorOr<T> decode_bytes(base::ReadonlyBytes bytes, BoundedAllocator& allocator) {
    ptah::DecodeOptions options{&allocator, {}};
    return ptah::to_system_result(ptah::decode<T>(bytes, base::Span<const ptah::TransferredHandle>(), options));
}

}  // namespace ipc
