#pragma once

// Helpers shared by the Ptah tests: encode to a std::vector, decode from one, and allocators that count
// or fail.

#include <gtest/gtest.h>
#include <ptah/heap_allocator.h>
#include <ptah/ptah.h>

#include <ostream>
#include <string>
#include <vector>

namespace ptah {
inline void PrintTo(Error error, std::ostream* out) { *out << error_name(error); }
}  // namespace ptah

namespace ptah_test {

using ByteVector = std::vector<u8>;
using HandleVector = std::vector<ptah::TransferredHandle>;

struct Encoded {
    ByteVector bytes;
    HandleVector handles;
};

// Encodes `value`, checking that encoded_size agrees with what encode writes.
template <typename T>
Encoded encode(const T& value) {
    auto size = ptah::encoded_size(value);
    EXPECT_TRUE(size.is_ok()) << ptah::error_name(size.error());
    Encoded encoded;
    encoded.bytes.resize(size->bytes);
    ptah::HandleList handles;
    auto written = ptah::encode(value, base::Bytes(encoded.bytes.data(), encoded.bytes.size()), handles);
    EXPECT_TRUE(written.is_ok());
    EXPECT_EQ(written->bytes, size->bytes);
    EXPECT_EQ(written->handles, size->handles);
    for (const auto& handle : handles.view()) encoded.handles.push_back(handle);
    return encoded;
}

inline ptah::DecodeOptions heap_options() { return {.allocator = &ptah::heap_allocator()}; }

template <typename T>
base::Result<T, ptah::Error> decode(const ByteVector& bytes, const HandleVector& handles = {},
                                    const ptah::DecodeOptions& options = heap_options()) {
    return ptah::decode<T>({bytes.data(), bytes.size()}, {handles.data(), handles.size()}, options);
}

template <typename T>
ptah::Error decode_error(const ByteVector& bytes, const HandleVector& handles = {},
                         const ptah::DecodeOptions& options = heap_options()) {
    auto result = decode<T>(bytes, handles, options);
    EXPECT_TRUE(result.is_error()) << "decoding unexpectedly succeeded";
    return result.is_error() ? result.error() : ptah::Error{};
}

inline base::StringView view(const std::string& text) { return {text.data(), text.size()}; }

// Counts what is outstanding, so a test can check that nothing leaks; fails once `budget` allocations
// have been made, so a test can check that out-of-memory is an error.
class CountingAllocator final : public ptah::Allocator {
public:
    explicit CountingAllocator(usize budget = ~usize(0)) : budget_(budget) {}
    void* allocate(usize size, usize alignment) override {
        if (allocations_ == budget_) return nullptr;
        ++allocations_;
        ++outstanding_;
        return ptah::heap_allocator().allocate(size, alignment);
    }
    void deallocate(void* pointer, usize size, usize alignment) override {
        --outstanding_;
        ptah::heap_allocator().deallocate(pointer, size, alignment);
    }
    usize allocations() const { return allocations_; }
    usize outstanding() const { return outstanding_; }

private:
    usize budget_;
    usize allocations_ = 0;
    usize outstanding_ = 0;
};

}  // namespace ptah_test
