#pragma once

// Handles travel out of band: a message is its bytes plus an array of at most kMaxHandles handles, and a
// handle field is the single byte 0xF0 + i naming entry i of that array. Poplar's channels carry at most
// 4 handles; the format itself has room for 16 (0xF0..0xFF), which is Ptah's limit.
//
// Each out-of-band entry is a TransferredHandle: the handle value the task uses, plus the type of the
// object behind it as the kernel reports it. A field declared Handle<ObjectType::Channel> accepts only an
// entry of that type (otherwise Error::WrongHandleType); AnyHandle accepts any and keeps the type.

#include <base/result.h>
#include <base/span.h>
#include <ptah/error.h>

namespace ptah {

inline constexpr usize kMaxHandles = 16;
inline constexpr u8 kFirstHandleByte = 0xF0;

// A handle number in the receiving task's table. Handles are values here: closing them is the owner's
// business, not the format's.
using HandleValue = u32;

// The object-type tag of an entry; kernel and user space agree on its values (poplar::ObjectType).
using ObjectTypeTag = u32;

struct TransferredHandle {
    HandleValue value = 0;
    ObjectTypeTag object_type = 0;
    bool operator==(const TransferredHandle&) const = default;
};

// A handle to an object of the one type `Type` (any enum whose values are the object-type tags).
template <auto Type>
struct Handle {
    static constexpr ObjectTypeTag object_type = static_cast<ObjectTypeTag>(Type);
    HandleValue value = 0;
    bool operator==(const Handle&) const = default;
};

// A handle to an object of any type; decoding records the type the transport reported.
struct AnyHandle {
    HandleValue value = 0;
    ObjectTypeTag object_type = 0;
    bool operator==(const AnyHandle&) const = default;
};

// The out-of-band handle array of one message, filled in by encoding or by a receive.
class HandleList {
public:
    usize size() const { return count_; }
    bool is_empty() const { return count_ == 0; }
    const TransferredHandle& operator[](usize index) const {
        ASSERT(index < count_);
        return entries_[index];
    }

    // Returns the slot the handle went into.
    base::Result<u8, Error> append(TransferredHandle handle) {
        if (count_ == kMaxHandles) return Error::TooManyHandles;
        entries_[count_] = handle;
        return static_cast<u8>(count_++);
    }
    void clear() { count_ = 0; }

    base::Span<const TransferredHandle> view() const { return {entries_, count_}; }

    // For a receive: the transport writes into storage(), then says how many it wrote.
    base::Span<TransferredHandle> storage() { return {entries_, kMaxHandles}; }
    void set_size(usize count) {
        ASSERT(count <= kMaxHandles);
        count_ = count;
    }

private:
    TransferredHandle entries_[kMaxHandles];
    usize count_ = 0;
};

}  // namespace ptah
