#pragma once

// Handles: one in-line byte 0xF0 + slot; the handle itself travels in the message's handle array.

#include <ptah/codec.h>
#include <ptah/handle.h>

namespace ptah {

namespace detail {
template <typename Sink>
base::Result<void, Error> write_handle(Sink& sink, TransferredHandle handle) {
    u8 slot = TRY(sink.add_handle(handle));
    return write_little_endian<u8>(sink, static_cast<u8>(kFirstHandleByte + slot));
}
}  // namespace detail

template <auto Type>
struct Codec<Handle<Type>> {
    static constexpr usize min_size = 1;
    static constexpr bool nests = false;

    template <typename Sink>
    static base::Result<void, Error> encode(Sink& sink, Handle<Type> handle) {
        return detail::write_handle(sink, {handle.value, Handle<Type>::object_type});
    }
    static base::Result<void, Error> decode(Reader& reader, Handle<Type>& handle) {
        u8 byte = TRY(detail::read_little_endian<u8>(reader));
        ObjectTypeTag expected = Handle<Type>::object_type;
        handle.value = TRY(reader.claim_handle(byte, &expected)).value;
        return {};
    }
};

template <>
struct Codec<AnyHandle> {
    static constexpr usize min_size = 1;
    static constexpr bool nests = false;

    template <typename Sink>
    static base::Result<void, Error> encode(Sink& sink, AnyHandle handle) {
        return detail::write_handle(sink, {handle.value, handle.object_type});
    }
    static base::Result<void, Error> decode(Reader& reader, AnyHandle& handle) {
        u8 byte = TRY(detail::read_little_endian<u8>(reader));
        TransferredHandle claimed = TRY(reader.claim_handle(byte, nullptr));
        handle = {claimed.value, claimed.object_type};
        return {};
    }
};

}  // namespace ptah
