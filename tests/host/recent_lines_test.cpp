#include <debug/recent_lines.h>
#include <gtest/gtest.h>

#include <string>

using Lines = debug::RecentLines<4, 8>;

namespace {

std::string text(const Lines::Line& line) { return std::string(line.view().data(), line.view().length()); }

}  // namespace

TEST(RecentLines, EmptyHasNothingToRead) {
    Lines lines;
    Lines::Line out[4];
    EXPECT_EQ(lines.latest(), 0u);
    EXPECT_EQ(lines.read(0, base::Span<Lines::Line>(out, 4)), 0u);
}

TEST(RecentLines, ReadsTheLinesAfterASequenceOldestFirst) {
    Lines lines;
    lines.append("one");
    lines.append("two");
    lines.append("three");
    Lines::Line out[4];
    ASSERT_EQ(lines.read(1, base::Span<Lines::Line>(out, 4)), 2u);
    EXPECT_EQ(out[0].sequence, 2u);
    EXPECT_EQ(text(out[0]), "two");
    EXPECT_EQ(text(out[1]), "three");
    EXPECT_EQ(lines.read(3, base::Span<Lines::Line>(out, 4)), 0u);
}

TEST(RecentLines, KeepsOnlyTheNewestAndAReaderBehindSeesTheGap) {
    Lines lines;
    for (int i = 0; i < 10; ++i) lines.append(std::to_string(i).c_str());
    EXPECT_EQ(lines.oldest(), 7u);
    Lines::Line out[4];
    ASSERT_EQ(lines.read(0, base::Span<Lines::Line>(out, 4)), 4u);
    EXPECT_EQ(out[0].sequence, 7u);
    EXPECT_EQ(text(out[0]), "6");
    EXPECT_EQ(text(out[3]), "9");
}

TEST(RecentLines, ALongLineIsCutAndASmallBufferReadsAPage) {
    Lines lines;
    lines.append("0123456789abc");
    lines.append("b");
    Lines::Line out[1];
    ASSERT_EQ(lines.read(0, base::Span<Lines::Line>(out, 1)), 1u);
    EXPECT_EQ(text(out[0]), "01234567");
    ASSERT_EQ(lines.read(out[0].sequence, base::Span<Lines::Line>(out, 1)), 1u);
    EXPECT_EQ(text(out[0]), "b");
}

TEST(RecentLines, ASequenceFromTheFutureOrTheLastReadsNothing) {
    Lines lines;
    lines.append("a");
    Lines::Line out[2];
    EXPECT_EQ(lines.read(~u64(0), base::Span<Lines::Line>(out, 2)), 0u);
    EXPECT_EQ(lines.read(1, base::Span<Lines::Line>(out, 2)), 0u);
}
