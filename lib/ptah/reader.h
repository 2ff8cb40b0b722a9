#pragma once

// The decoding cursor over one message: its bytes, its out-of-band handles, and the budgets that keep
// hostile input from costing more than the limits allow. Every read is checked against what remains;
// no claimed length is trusted before that check.

#include <base/result.h>
#include <base/span.h>
#include <ptah/allocator.h>
#include <ptah/handle.h>

namespace ptah {

struct DecodeLimits {
    u32 max_depth = 32;               // nested structs, variants, options, arrays, sequences, maps
    usize max_allocation = 1u << 20;  // bytes all owning containers of one message may request
};

struct DecodeOptions {
    Allocator* allocator = nullptr;  // needed only by messages with String, Vector or Map fields
    DecodeLimits limits{};
};

class Reader {
public:
    Reader(base::ReadonlyBytes input, base::Span<const TransferredHandle> handles, const DecodeOptions& options)
        : cursor_(input.data()), remaining_(input.size()), handles_(handles), options_(options) {}

    usize remaining() const { return remaining_; }

    // The next `count` bytes, consumed.
    base::Result<const u8*, Error> take(usize count) {
        if (count > remaining_) return Error::Truncated;
        const u8* bytes = cursor_;
        cursor_ += count;
        remaining_ -= count;
        return bytes;
    }

    // A u32 length or count of elements that each take at least `min_element_size` bytes, checked
    // against the bytes that remain before anyone allocates for it.
    base::Result<u32, Error> read_count(usize min_element_size) {
        const u8* bytes = TRY(take(4));
        u32 count = u32(bytes[0]) | u32(bytes[1]) << 8 | u32(bytes[2]) << 16 | u32(bytes[3]) << 24;
        if (min_element_size && count > remaining_ / min_element_size) return Error::LengthExceedsInput;
        return count;
    }

    base::Result<void, Error> enter() {
        if (depth_ == options_.limits.max_depth) return Error::TooDeep;
        ++depth_;
        return {};
    }
    void leave() { --depth_; }

    // Charges `bytes` to the message's allocation budget and returns the allocator to take them from.
    base::Result<Allocator*, Error> charge(usize count, usize element_size) {
        if (!options_.allocator) return Error::NoAllocator;
        usize budget = options_.limits.max_allocation - allocated_;
        if (element_size && count > budget / element_size) return Error::AllocationLimit;
        allocated_ += count * element_size;
        return options_.allocator;
    }

    // Resolves a handle byte to its out-of-band entry, checking the slot and, when `expected_type` is
    // given, the object's type. Each slot may be claimed once.
    base::Result<TransferredHandle, Error> claim_handle(u8 byte, const ObjectTypeTag* expected_type) {
        if (byte < kFirstHandleByte) return Error::InvalidHandleByte;
        u32 slot = byte - kFirstHandleByte;
        if (slot >= handles_.size()) return Error::HandleSlotOutOfRange;
        if (claimed_slots_ & (1u << slot)) return Error::HandleSlotReused;
        const TransferredHandle& handle = handles_[slot];
        if (expected_type && handle.object_type != *expected_type) return Error::WrongHandleType;
        claimed_slots_ |= 1u << slot;
        return handle;
    }

    // After the top-level value: nothing may be left over, neither bytes nor handles.
    base::Result<void, Error> finish() const {
        if (remaining_ != 0) return Error::TrailingBytes;
        if (claimed_slots_ != (1u << handles_.size()) - 1) return Error::UnusedHandle;
        return {};
    }

private:
    const u8* cursor_;
    usize remaining_;
    base::Span<const TransferredHandle> handles_;
    const DecodeOptions& options_;
    u32 depth_ = 0;
    usize allocated_ = 0;
    u32 claimed_slots_ = 0;
};

}  // namespace ptah
