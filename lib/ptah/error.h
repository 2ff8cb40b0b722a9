#pragma once

// Every way Ptah encoding or decoding can fail. Each malformed-input case has its own value so that a
// rejected message or a fuzzer finding says exactly what was wrong; at the system-call boundary they all
// collapse to base::Error::MalformedMessage (see to_system_error).

#include <base/error.h>
#include <base/types.h>

namespace ptah {

enum class Error : u8 {
    // Decoding: the shape of the input.
    Truncated = 1,        // the input ends inside a fixed-size value
    LengthExceedsInput,   // a string, sequence or map claims more than the bytes that remain
    TrailingBytes,        // bytes remain after the message
    InvalidBool,          // a bool byte other than 0x00 or 0x01
    InvalidOptionMarker,  // an option marker other than 0x00 or 0x01
    UnknownVariant,       // a variant index past the last alternative
    InvalidChar,          // a char that is not a Unicode scalar value
    // Decoding (and encoding a borrowed string): UTF-8.
    Utf8InvalidByte,  // a byte that cannot start a sequence, or a missing continuation byte
    Utf8Truncated,    // the string ends inside a multi-byte sequence
    Utf8Overlong,     // a code point written with more bytes than it needs
    Utf8Surrogate,    // U+D800..U+DFFF, which UTF-8 may not carry
    Utf8TooLarge,     // a code point above U+10FFFF
    // Decoding: maps.
    UnsortedMapKeys,  // a key smaller than the one before it
    DuplicateMapKey,  // a key equal to the one before it
    // Decoding: handles.
    InvalidHandleByte,     // a handle byte outside 0xF0..0xFF
    HandleSlotOutOfRange,  // a handle byte naming a slot past the message's handles
    HandleSlotReused,      // two handle fields naming the same slot
    WrongHandleType,       // the handle's object is not of the type the message names
    UnusedHandle,          // the message carries a handle that no field refers to
    // Decoding: resource bounds.
    TooDeep,          // values nest deeper than DecodeLimits::max_depth
    AllocationLimit,  // decoding would allocate more than DecodeLimits::max_allocation
    OutOfMemory,      // the allocator failed
    NoAllocator,      // the message owns memory but decode was given no allocator
    // Encoding.
    BufferTooSmall,  // the output buffer cannot hold the message
    TooManyHandles,  // more than kMaxHandles handles in one message
    TooLong,         // a string, sequence or map longer than a u32 count can say
};

const char* error_name(Error error);

// The error a system call or a protocol helper reports for a Ptah failure.
constexpr base::Error to_system_error(Error error) {
    switch (error) {
        case Error::OutOfMemory:
            return base::Error::NoMemory;
        case Error::BufferTooSmall:
            return base::Error::BufferTooSmall;
        case Error::TooManyHandles:
            return base::Error::LimitReached;
        case Error::NoAllocator:
        case Error::TooLong:
            return base::Error::InvalidArgument;
        default:
            return base::Error::MalformedMessage;
    }
}

}  // namespace ptah
