// libFuzzer target for the Ptah decoder. Any input must either decode or fail with an error, never crash,
// read out of bounds, leak or trip a sanitizer. What decodes must re-encode to a message of the same size
// that decodes again, and re-encoding is stable.

#include <stdio.h>
#include <stdlib.h>

#include <ptah/heap_allocator.h>

#include "ptah_fuzz_messages.h"

using namespace ptah_fuzz;
using namespace poplar::protocols;

void base_assertion_failed(const char* expression, const char* file, int line, const char* function) {
    fprintf(stderr, "ASSERTION FAILED: %s at %s:%d in %s\n", expression, file, line, function);
    abort();
}

namespace {

#define FUZZ_CHECK(condition)                                                              \
    do {                                                                                   \
        if (!(condition)) base_assertion_failed(#condition, __FILE__, __LINE__, __func__); \
    } while (0)

struct Encoded {
    std::vector<u8> bytes;
    ptah::HandleList handles;
};

template <typename T>
Encoded encode(const T& value) {
    auto size = ptah::encoded_size(value);
    FUZZ_CHECK(size.is_ok());
    Encoded encoded;
    encoded.bytes.resize(size->bytes);
    auto written = ptah::encode(value, base::Bytes(encoded.bytes.data(), encoded.bytes.size()), encoded.handles);
    FUZZ_CHECK(written.is_ok());
    FUZZ_CHECK(*written == *size);
    return encoded;
}

template <typename T>
void check_round_trip(base::ReadonlyBytes message, base::Span<const ptah::TransferredHandle> handles,
                      const ptah::DecodeOptions& options) {
    auto decoded = ptah::decode<T>(message, handles, options);
    if (decoded.is_error()) return;

    Encoded first = encode(*decoded);
    FUZZ_CHECK(first.bytes.size() == message.size());
    FUZZ_CHECK(first.handles.size() == handles.size());
    // With at most one handle the slot order cannot differ, so the bytes must be identical.
    if (handles.size() <= 1)
        for (usize i = 0; i < message.size(); ++i) FUZZ_CHECK(first.bytes[i] == message[i]);

    auto again = ptah::decode<T>({first.bytes.data(), first.bytes.size()}, first.handles.view(), options);
    FUZZ_CHECK(again.is_ok());
    Encoded second = encode(*again);
    FUZZ_CHECK(second.bytes == first.bytes);
    for (usize i = 0; i < first.handles.size(); ++i) FUZZ_CHECK(second.handles[i] == first.handles[i]);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const u8* data, size_t size) {
    if (size < 2) return 0;
    u8 selector = data[0];
    usize handle_count = data[1] % kHandleCountModulus;
    if (size < 2 + handle_count) return 0;

    ptah::TransferredHandle handles[kHandleCountModulus];
    for (usize i = 0; i < handle_count; ++i) handles[i] = {u32(100 + i), u32(data[2 + i] % 8)};
    base::ReadonlyBytes message(data + 2 + handle_count, size - 2 - handle_count);
    base::Span<const ptah::TransferredHandle> handle_span(handles, handle_count);

    ptah::DecodeOptions options{.allocator = &ptah::heap_allocator()};
    if (selector & kTightLimitsBit) options.limits = {.max_depth = 4, .max_allocation = 256};

    switch (Kind((selector & 0x07) % kKindCount)) {
        case Kind::RegistryRequest:
            check_round_trip<ServiceRegistry::Request>(message, handle_span, options);
            break;
        case Kind::RegistryResponse:
            check_round_trip<ServiceRegistry::Response>(message, handle_span, options);
            break;
        case Kind::ProviderMessage:
            check_round_trip<ServiceProvider::Request>(message, handle_span, options);
            break;
        case Kind::EchoRequest:
            check_round_trip<EchoProtocol::Request>(message, handle_span, options);
            break;
        case Kind::Everything:
            check_round_trip<Everything>(message, handle_span, options);
            break;
    }
    return 0;
}
