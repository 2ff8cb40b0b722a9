#pragma once

// Ptah: Poplar's wire format. One include gives every codec and the three entry points:
//
//   ptah::HandleList handles;
//   auto size = TRY(ptah::encode(message, buffer, handles));          // -> MessageSize
//   auto message = TRY(ptah::decode<Request>(bytes, received_handles, {.allocator = &heap}));
//   auto size = TRY(ptah::encoded_size(message));
//
// See docs/ptah.md for the format and how to define messages and protocols.

#include <ptah/codec.h>
#include <ptah/codec_composite.h>
#include <ptah/codec_containers.h>
#include <ptah/codec_handle.h>
#include <ptah/codec_scalar.h>
#include <ptah/codec_text.h>
#include <ptah/writer.h>

namespace ptah {

struct MessageSize {
    usize bytes = 0;
    usize handles = 0;
    bool operator==(const MessageSize&) const = default;
};

// Writes `value` into `buffer` and its handles into `handles` (which it clears first).
template <typename T>
base::Result<MessageSize, Error> encode(const T& value, base::Bytes buffer, HandleList& handles) {
    handles.clear();
    ByteWriter writer(buffer, handles);
    TRY(encode_value(writer, value));
    return MessageSize{writer.size(), handles.size()};
}

// The bytes and handles encode would produce, without writing anything.
template <typename T>
base::Result<MessageSize, Error> encoded_size(const T& value) {
    SizeCounter counter;
    TRY(encode_value(counter, value));
    return MessageSize{counter.size(), counter.handle_count()};
}

// Decodes one whole message: all bytes and all handles must be used. The result may borrow from `bytes`
// (StringView and byte-span fields) and must not outlive them.
template <typename T>
base::Result<T, Error> decode(base::ReadonlyBytes bytes, base::Span<const TransferredHandle> handles,
                              const DecodeOptions& options = {}) {
    if (handles.size() > kMaxHandles) return Error::TooManyHandles;
    Reader reader(bytes, handles, options);
    T value{};
    TRY(decode_value(reader, value));
    TRY(reader.finish());
    return value;
}

}  // namespace ptah
