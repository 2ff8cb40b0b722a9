#pragma once

// The one error enum of the system. Its numeric values are the user ABI: a system call returns
// 0 for success or one of these codes, so values never change once assigned.

#include <base/types.h>

namespace base {

enum class Error : u32 {
    InvalidArgument = 1,    // a malformed argument: bad flags, size, alignment or name
    NoMemory = 2,           // an allocation failed
    BadHandle = 3,          // the handle value names nothing in the caller's table
    WrongType = 4,          // the handle names an object of another type
    AccessDenied = 5,       // the handle lacks a right the operation needs
    BadAddress = 6,         // a user pointer is null, unmapped, not writable or not in user space
    ShouldWait = 7,         // nothing there yet (empty queue), or no room yet (full queue)
    PeerClosed = 8,         // the other end of a channel is gone
    TimedOut = 9,           // a deadline passed first
    NotFound = 10,          // a name or module does not exist
    AlreadyExists = 11,     // a name is taken
    BufferTooSmall = 12,    // the caller's buffer cannot hold the result; nothing was consumed
    OutOfRange = 13,        // an offset or size lies outside an object
    NotSupported = 14,      // a valid request this kernel does not implement
    Cancelled = 15,         // the operation was cancelled before it completed
    BadState = 16,          // the object is not in a state that allows the operation
    MalformedMessage = 17,  // a message failed Ptah decoding or protocol checks
    LimitReached = 18,      // a per-task or per-object limit was hit
    Internal = 19,          // a kernel invariant failed; should never be seen
};

constexpr const char* error_name(Error error) {
    switch (error) {
        case Error::InvalidArgument:
            return "InvalidArgument";
        case Error::NoMemory:
            return "NoMemory";
        case Error::BadHandle:
            return "BadHandle";
        case Error::WrongType:
            return "WrongType";
        case Error::AccessDenied:
            return "AccessDenied";
        case Error::BadAddress:
            return "BadAddress";
        case Error::ShouldWait:
            return "ShouldWait";
        case Error::PeerClosed:
            return "PeerClosed";
        case Error::TimedOut:
            return "TimedOut";
        case Error::NotFound:
            return "NotFound";
        case Error::AlreadyExists:
            return "AlreadyExists";
        case Error::BufferTooSmall:
            return "BufferTooSmall";
        case Error::OutOfRange:
            return "OutOfRange";
        case Error::NotSupported:
            return "NotSupported";
        case Error::Cancelled:
            return "Cancelled";
        case Error::BadState:
            return "BadState";
        case Error::MalformedMessage:
            return "MalformedMessage";
        case Error::LimitReached:
            return "LimitReached";
        case Error::Internal:
            return "Internal";
    }
    return "Unknown";
}

}  // namespace base
