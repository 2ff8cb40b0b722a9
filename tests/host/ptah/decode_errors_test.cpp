// One test per way a message can be rejected: each hostile input gives its own ptah::Error.

#include <poplar/protocols/service_registry.h>

#include <set>

#include "test_support.h"

using namespace ptah_test;
using poplar::ObjectType;
using poplar::protocols::ServiceRegistry;
using ptah::Error;

namespace {

constexpr ptah::TransferredHandle kChannel{1, u32(ObjectType::Channel)};
constexpr ptah::TransferredHandle kEvent{2, u32(ObjectType::Event)};

struct TwoChannels {
    ptah::Handle<ObjectType::Channel> first;
    ptah::Handle<ObjectType::Channel> second;
    PTAH_FIELDS(first, second)
};

struct Nothing {};

}  // namespace

TEST(DecodeErrors, InputEndingInsideAValueIsTruncated) {
    EXPECT_EQ(decode_error<u32>({1, 2, 3}), Error::Truncated);
    EXPECT_EQ(decode_error<ServiceRegistry::Request>({0, 0}), Error::Truncated);
}

TEST(DecodeErrors, LengthClaimingMoreThanRemainsIsRejectedBeforeAllocating) {
    CountingAllocator allocator;
    ptah::DecodeOptions options{.allocator = &allocator};
    EXPECT_EQ(decode_error<ptah::String>({100, 0, 0, 0, 'a', 'b'}, {}, options), Error::LengthExceedsInput);
    // Two u64 need 16 bytes; only 8 follow.
    EXPECT_EQ(decode_error<ptah::Vector<u64>>({2, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8}, {}, options),
              Error::LengthExceedsInput);
    EXPECT_EQ(decode_error<ptah::Vector<u8>>({0xff, 0xff, 0xff, 0xff}, {}, options), Error::LengthExceedsInput);
    EXPECT_EQ(allocator.allocations(), 0u);
}

TEST(DecodeErrors, BytesLeftAfterTheMessageAreTrailingBytes) {
    EXPECT_EQ(decode_error<u16>({1, 2, 3}), Error::TrailingBytes);
}

TEST(DecodeErrors, BoolOtherThanZeroOrOneIsInvalid) { EXPECT_EQ(decode_error<bool>({2}), Error::InvalidBool); }

TEST(DecodeErrors, OptionMarkerOtherThanZeroOrOneIsInvalid) {
    EXPECT_EQ(decode_error<ptah::Optional<u8>>({2, 0}), Error::InvalidOptionMarker);
}

TEST(DecodeErrors, VariantIndexPastTheLastAlternativeIsUnknown) {
    EXPECT_EQ(decode_error<ServiceRegistry::Request>({2, 0, 0, 0}), Error::UnknownVariant);
    EXPECT_EQ(decode_error<ServiceRegistry::Request>({0xff, 0xff, 0xff, 0xff}), Error::UnknownVariant);
}

TEST(DecodeErrors, CharThatIsNotAScalarValueIsInvalid) {
    EXPECT_EQ(decode_error<char32_t>({0x00, 0xd8, 0, 0}), Error::InvalidChar);
    EXPECT_EQ(decode_error<char32_t>({0x00, 0x00, 0x11, 0}), Error::InvalidChar);
}

TEST(DecodeErrors, BadUtf8InAStringNamesWhatIsWrong) {
    EXPECT_EQ(decode_error<base::StringView>({1, 0, 0, 0, 0x80}), Error::Utf8InvalidByte);
    EXPECT_EQ(decode_error<base::StringView>({2, 0, 0, 0, 0xe2, 0x82}), Error::Utf8Truncated);
    EXPECT_EQ(decode_error<base::StringView>({2, 0, 0, 0, 0xc0, 0xaf}), Error::Utf8Overlong);
    EXPECT_EQ(decode_error<base::StringView>({3, 0, 0, 0, 0xed, 0xa0, 0x80}), Error::Utf8Surrogate);
    EXPECT_EQ(decode_error<ptah::String>({4, 0, 0, 0, 0xf4, 0x90, 0x80, 0x80}), Error::Utf8TooLarge);
}

TEST(DecodeErrors, MapKeysOutOfOrderAreUnsorted) {
    EXPECT_EQ((decode_error<ptah::Map<u8, u8>>({2, 0, 0, 0, 5, 0, 4, 0})), Error::UnsortedMapKeys);
}

TEST(DecodeErrors, RepeatedMapKeyIsDuplicate) {
    EXPECT_EQ((decode_error<ptah::Map<u8, u8>>({2, 0, 0, 0, 5, 0, 5, 1})), Error::DuplicateMapKey);
}

TEST(DecodeErrors, HandleByteBelowF0IsInvalid) {
    EXPECT_EQ(decode_error<ptah::AnyHandle>({0x05}, {kChannel}), Error::InvalidHandleByte);
}

TEST(DecodeErrors, HandleSlotPastTheHandleArrayIsOutOfRange) {
    EXPECT_EQ(decode_error<ptah::AnyHandle>({0xf1}, {kChannel}), Error::HandleSlotOutOfRange);
    EXPECT_EQ(decode_error<ptah::AnyHandle>({0xff}, {}), Error::HandleSlotOutOfRange);
}

TEST(DecodeErrors, HandleSlotUsedTwiceIsReused) {
    EXPECT_EQ(decode_error<TwoChannels>({0xf0, 0xf0}, {kChannel, kChannel}), Error::HandleSlotReused);
}

TEST(DecodeErrors, HandleOfAnotherObjectTypeIsWrongType) {
    EXPECT_EQ(decode_error<ptah::Handle<ObjectType::Channel>>({0xf0}, {kEvent}), Error::WrongHandleType);
    EXPECT_TRUE(decode<ptah::AnyHandle>({0xf0}, {kEvent}).is_ok());
}

TEST(DecodeErrors, HandleNoFieldRefersToIsUnused) {
    EXPECT_EQ(decode_error<Nothing>({}, {kChannel}), Error::UnusedHandle);
    EXPECT_EQ(decode_error<TwoChannels>({0xf1, 0xf0}, {kChannel, kChannel, kChannel}), Error::UnusedHandle);
}

TEST(DecodeErrors, MoreThanSixteenHandlesAreTooMany) {
    HandleVector handles(17, kChannel);
    EXPECT_EQ(decode_error<Nothing>({}, handles), Error::TooManyHandles);
}

TEST(DecodeErrors, NestingPastTheLimitIsTooDeep) {
    using Nested = ptah::Optional<ptah::Optional<ptah::Optional<u8>>>;
    ptah::DecodeOptions options = heap_options();
    options.limits.max_depth = 2;
    EXPECT_EQ(decode_error<Nested>({1, 1, 1, 7}, {}, options), Error::TooDeep);
    options.limits.max_depth = 3;
    EXPECT_TRUE(decode<Nested>({1, 1, 1, 7}, {}, options).is_ok());
}

TEST(DecodeErrors, AllocatingPastTheBudgetHitsTheAllocationLimit) {
    CountingAllocator allocator;
    ptah::DecodeOptions options{.allocator = &allocator, .limits = {.max_allocation = 16}};
    ByteVector three_u64s = {3, 0, 0, 0};
    three_u64s.resize(4 + 24);
    EXPECT_EQ(decode_error<ptah::Vector<u64>>(three_u64s, {}, options), Error::AllocationLimit);
    EXPECT_EQ(allocator.allocations(), 0u);
}

TEST(DecodeErrors, ZeroSizedElementsCannotBypassTheAllocationLimit) {
    // A billion units take no bytes on the wire; the budget still stops them.
    EXPECT_EQ(decode_error<ptah::Vector<Nothing>>({0x00, 0xca, 0x9a, 0x3b}), Error::AllocationLimit);
}

TEST(DecodeErrors, FailedAllocationIsOutOfMemoryAndLeaksNothing) {
    CountingAllocator allocator(1);
    ptah::DecodeOptions options{.allocator = &allocator};
    using Strings = ptah::Vector<ptah::String>;
    EXPECT_EQ(decode_error<Strings>({2, 0, 0, 0, 1, 0, 0, 0, 'a', 1, 0, 0, 0, 'b'}, {}, options), Error::OutOfMemory);
    EXPECT_EQ(allocator.outstanding(), 0u);
}

TEST(DecodeErrors, OwningTypeWithoutAnAllocatorIsAnError) {
    EXPECT_EQ(decode_error<ptah::String>({1, 0, 0, 0, 'a'}, {}, {}), Error::NoAllocator);
    EXPECT_TRUE(decode<base::StringView>({1, 0, 0, 0, 'a'}, {}, {}).is_ok());
}

TEST(EncodeErrors, BufferTooSmall) {
    u8 buffer[3];
    ptah::HandleList handles;
    auto result = ptah::encode(u32(1), base::Bytes(buffer, sizeof(buffer)), handles);
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error(), Error::BufferTooSmall);
}

TEST(EncodeErrors, SeventeenHandlesAreTooMany) {
    ptah::AnyHandle handles[17] = {};
    EXPECT_EQ(ptah::encoded_size(handles).error(), Error::TooManyHandles);
    ptah::AnyHandle sixteen[16] = {};
    EXPECT_EQ(ptah::encoded_size(sixteen)->handles, 16u);
}

TEST(EncodeErrors, SequenceLongerThanAU32CountIsTooLong) {
    // The size pass never reads the elements, so a fake length is enough.
    static const u8 byte = 0;
    base::ReadonlyBytes huge(&byte, usize(1) << 32);
    EXPECT_EQ(ptah::encoded_size(huge).error(), Error::TooLong);
}

TEST(EncodeErrors, BorrowedStringWithBadUtf8IsRefused) {
    EXPECT_EQ(ptah::encoded_size(base::StringView("\xff")).error(), Error::Utf8InvalidByte);
    EXPECT_EQ(ptah::encoded_size(char32_t(0xd800)).error(), Error::InvalidChar);
}

TEST(Errors, EveryErrorHasItsOwnName) {
    std::set<std::string> names;
    for (u8 value = u8(Error::Truncated); value <= u8(Error::TooLong); ++value) {
        std::string name = ptah::error_name(Error(value));
        EXPECT_NE(name, "Unknown");
        EXPECT_TRUE(names.insert(name).second) << name;
    }
}

TEST(Errors, MalformedInputIsMalformedMessageAtTheSystemCallBoundary) {
    EXPECT_EQ(ptah::to_system_error(Error::Utf8Overlong), base::Error::MalformedMessage);
    EXPECT_EQ(ptah::to_system_error(Error::WrongHandleType), base::Error::MalformedMessage);
    EXPECT_EQ(ptah::to_system_error(Error::TrailingBytes), base::Error::MalformedMessage);
    EXPECT_EQ(ptah::to_system_error(Error::AllocationLimit), base::Error::MalformedMessage);
    EXPECT_EQ(ptah::to_system_error(Error::OutOfMemory), base::Error::NoMemory);
    EXPECT_EQ(ptah::to_system_error(Error::BufferTooSmall), base::Error::BufferTooSmall);
}
