// UTF-8 validation at the edges of each sequence length.

#include <ptah/utf8.h>

#include <string>

#include "test_support.h"

using ptah::Error;

namespace {
base::Result<void, Error> validate(const std::string& text) {
    return ptah::validate_utf8({reinterpret_cast<const u8*>(text.data()), text.size()});
}
Error error_of(const std::string& text) {
    auto result = validate(text);
    EXPECT_TRUE(result.is_error()) << "accepted";
    return result.is_error() ? result.error() : Error{};
}
}  // namespace

TEST(Utf8, AcceptsEachSequenceLengthAtItsBounds) {
    for (const char* text : {"", "plain ascii", "\x7f", "\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80", "\xed\x9f\xbf",
                             "\xee\x80\x80", "\xef\xbf\xbf", "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf", "h\xc3\xa9llo"})
        EXPECT_TRUE(validate(text).is_ok()) << text;
}

TEST(Utf8, RejectsOverlongForms) {
    EXPECT_EQ(error_of("\xc0\x80"), Error::Utf8Overlong);
    EXPECT_EQ(error_of("\xc1\xbf"), Error::Utf8Overlong);
    EXPECT_EQ(error_of("\xe0\x9f\xbf"), Error::Utf8Overlong);
    EXPECT_EQ(error_of("\xf0\x8f\xbf\xbf"), Error::Utf8Overlong);
}

TEST(Utf8, RejectsSurrogates) {
    EXPECT_EQ(error_of("\xed\xa0\x80"), Error::Utf8Surrogate);
    EXPECT_EQ(error_of("\xed\xbf\xbf"), Error::Utf8Surrogate);
}

TEST(Utf8, RejectsCodePointsAboveTheUnicodeRange) {
    EXPECT_EQ(error_of("\xf4\x90\x80\x80"), Error::Utf8TooLarge);
    EXPECT_EQ(error_of("\xf7\xbf\xbf\xbf"), Error::Utf8TooLarge);
}

TEST(Utf8, RejectsTruncatedSequences) {
    EXPECT_EQ(error_of("\xc3"), Error::Utf8Truncated);
    EXPECT_EQ(error_of("ab\xe2\x82"), Error::Utf8Truncated);
    EXPECT_EQ(error_of("\xf0\x90\x80"), Error::Utf8Truncated);
}

TEST(Utf8, RejectsBytesThatCannotStartOrContinueASequence) {
    EXPECT_EQ(error_of("\x80"), Error::Utf8InvalidByte);
    EXPECT_EQ(error_of("\xf8\x88\x80\x80\x80"), Error::Utf8InvalidByte);
    EXPECT_EQ(error_of("\xff"), Error::Utf8InvalidByte);
    EXPECT_EQ(error_of("\xc3\x41"), Error::Utf8InvalidByte);
    EXPECT_EQ(error_of("\xe2\x82\xc0"), Error::Utf8InvalidByte);
}

TEST(Utf8, ScalarValues) {
    EXPECT_TRUE(ptah::is_unicode_scalar(0));
    EXPECT_TRUE(ptah::is_unicode_scalar(0xd7ff));
    EXPECT_FALSE(ptah::is_unicode_scalar(0xd800));
    EXPECT_FALSE(ptah::is_unicode_scalar(0xdfff));
    EXPECT_TRUE(ptah::is_unicode_scalar(0xe000));
    EXPECT_TRUE(ptah::is_unicode_scalar(0x10ffff));
    EXPECT_FALSE(ptah::is_unicode_scalar(0x110000));
}
