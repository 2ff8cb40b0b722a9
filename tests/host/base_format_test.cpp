#include <base/format.h>
#include <gtest/gtest.h>
#include <string>

namespace {

template <typename... Args>
std::string formatted(base::StringView format_string, const Args&... args) {
    char buffer[256];
    auto view = base::format_to(buffer, sizeof(buffer), format_string, args...);
    return std::string(view.data(), view.length());
}

}  // namespace

TEST(Format, IntegersInDecimalAndHex) {
    EXPECT_EQ(formatted("{} {} {}", 0, -42, 18446744073709551615ull), "0 -42 18446744073709551615");
    EXPECT_EQ(formatted("{:x} {:#x} {:016x}", 255, 255, 0xdeadu), "ff 0xff 000000000000dead");
    EXPECT_EQ(formatted("{:#018x}", 0x1000u), "0x0000000000001000");
    EXPECT_EQ(formatted("{:5}|", 42), "   42|");
}

TEST(Format, StringsBoolsAndChars) {
    EXPECT_EQ(formatted("{} {} {} {}", "abc", base::StringView("de"), true, 'z'), "abc de true z");
}

TEST(Format, BracesAndMissingArguments) { EXPECT_EQ(formatted("{{}} {} {}", 1), "{} 1 {?}"); }

TEST(Format, TruncatesIntoSmallBuffers) {
    char buffer[6];
    base::BufferSink sink(buffer, sizeof(buffer));
    base::format(sink, "hello world");
    EXPECT_TRUE(sink.truncated());
    EXPECT_STREQ(buffer, "hello");
}
