// The worked examples of Poplar's Ptah documentation, byte for byte, in both directions.

#include <poplar/protocols/service_registry.h>

#include "test_support.h"

using namespace ptah_test;
using namespace poplar::protocols;
using namespace poplar::protocols::service_registry;

namespace {

constexpr ptah::TransferredHandle kChannel{.value = 42, .object_type = u32(poplar::ObjectType::Channel)};

struct BootTask {
    ptah::String name;
    usize entry_point = 0;
    ptah::Vector<ptah::Pair<usize, u32>> segments;
    PTAH_FIELDS(name, entry_point, segments)
    bool operator==(const BootTask&) const = default;
};

struct Scalars {
    bool flag = true;
    i16 small = -2;
    u64 big = 0x0102030405060708;
    float single = 1.0f;
    double twice = -2.0;
    char32_t letter = U'\u00e9';
    ptah::u128 huge = ptah::u128(1) << 64;
    u8 fixed[2] = {7, 8};
    PTAH_FIELDS(flag, small, big, single, twice, letter, huge, fixed)
    bool operator==(const Scalars&) const = default;
};

template <typename T>
void expect_wire_form(const T& value, const ByteVector& bytes, const HandleVector& handles = {}) {
    Encoded encoded = encode(value);
    EXPECT_EQ(encoded.bytes, bytes);
    EXPECT_EQ(encoded.handles, handles);
    auto decoded = decode<T>(bytes, handles);
    ASSERT_TRUE(decoded.is_ok()) << ptah::error_name(decoded.error());
    EXPECT_TRUE(*decoded == value);
}

}  // namespace

TEST(PoplarWorkedExamples, RegisterService) {
    ServiceRegistry::Request request = RegisterService{"hello_world"};
    expect_wire_form(request, {0x00, 0x00, 0x00, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x5f, 0x77,
                               0x6f, 0x72, 0x6c, 0x64});
}

TEST(PoplarWorkedExamples, SubscribeServiceIsVariantOne) {
    ServiceRegistry::Request request = SubscribeService{"a"};
    expect_wire_form(request, {0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x61});
}

TEST(PoplarWorkedExamples, ServiceRegistered) {
    ServiceRegistry::Response response = ServiceRegistered{{kChannel.value}};
    expect_wire_form(response, {0x00, 0x00, 0x00, 0x00, 0xf0}, {kChannel});
}

TEST(PoplarWorkedExamples, NewClient) {
    ServiceProvider::Request message = NewClient{"usb_hid", {kChannel.value}, 5, "a"};
    expect_wire_form(message, {0x00, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x75, 0x73, 0x62, 0x5f, 0x68, 0x69, 0x64,
                               0xf0, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x61},
                     {kChannel});
}

TEST(PoplarWorkedExamples, OptionU32) {
    expect_wire_form(ptah::Optional<u32>(5), {0x01, 0x05, 0x00, 0x00, 0x00});
    expect_wire_form(ptah::Optional<u32>(), {0x00});
}

TEST(PoplarWorkedExamples, BootTask) {
    auto& heap = ptah::heap_allocator();
    BootTask task{MUST(ptah::String::copy(heap, "a")), 0x1000, ptah::Vector<ptah::Pair<usize, u32>>(heap)};
    MUST(task.segments.append({0x400000, 2}));
    expect_wire_form(task, {0x01, 0x00, 0x00, 0x00, 0x61, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
                            0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00});
}

TEST(PoplarWorkedExamples, KernelSubscriptionIsABareHandle) {
    expect_wire_form(ptah::Handle<poplar::ObjectType::Channel>{kChannel.value}, {0xf0}, {kChannel});
}

TEST(WireForm, ScalarsAreLittleEndianWithoutPadding) {
    expect_wire_form(Scalars{},
                     {0x01, 0xfe, 0xff, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, 0x00, 0x00, 0x80, 0x3f,
                      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0xe9, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                      0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x08});
}

TEST(WireForm, MapIsCountThenPairsInKeyOrder) {
    ptah::Map<u16, bool> map(ptah::heap_allocator());
    MUST(map.insert(9, true));
    MUST(map.insert(2, false));
    expect_wire_form(map, {0x02, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x09, 0x00, 0x01});
}

TEST(WireForm, UnitAndEmptyStructAreNothing) {
    struct Unit {
        bool operator==(const Unit&) const = default;
    };
    expect_wire_form(Unit{}, {});
}

TEST(WireForm, ByteSpanIsASequenceAndDecodesWithoutCopying) {
    const u8 payload[] = {1, 2, 3};
    Encoded encoded = encode(base::ReadonlyBytes(payload));
    EXPECT_EQ(encoded.bytes, (ByteVector{0x03, 0x00, 0x00, 0x00, 1, 2, 3}));
    auto decoded = decode<base::ReadonlyBytes>(encoded.bytes);
    ASSERT_TRUE(decoded.is_ok());
    EXPECT_EQ(decoded->data(), encoded.bytes.data() + 4);
    EXPECT_EQ(decoded->size(), 3u);
}
