#include <base/result.h>
#include <gtest/gtest.h>

using base::Error;
using base::ErrorOr;
using base::Result;

namespace {

ErrorOr<int> parse_digit(char c) {
    if (c < '0' || c > '9') return Error::InvalidArgument;
    return c - '0';
}

ErrorOr<int> add_digits(char a, char b) {
    int x = TRY(parse_digit(a));
    int y = TRY(parse_digit(b));
    return x + y;
}

ErrorOr<void> check_positive(int value) {
    if (value <= 0) return Error::OutOfRange;
    return {};
}

ErrorOr<int> doubled_if_positive(int value) {
    TRY(check_positive(value));
    return value * 2;
}

struct MoveOnly {
    explicit MoveOnly(int v) : value(v) {}
    MoveOnly(MoveOnly&& other) : value(other.value) { other.value = -1; }
    MoveOnly(const MoveOnly&) = delete;
    int value;
};

}  // namespace

TEST(Result, TryPropagatesTheFirstError) {
    EXPECT_EQ(add_digits('3', '4').value(), 7);
    auto failed = add_digits('3', 'x');
    ASSERT_TRUE(failed.is_error());
    EXPECT_EQ(failed.error(), Error::InvalidArgument);
}

TEST(Result, VoidResultsCarryOnlyErrors) {
    EXPECT_EQ(doubled_if_positive(5).value(), 10);
    EXPECT_EQ(doubled_if_positive(-1).error(), Error::OutOfRange);
}

TEST(Result, HoldsMoveOnlyValues) {
    ErrorOr<MoveOnly> result = MoveOnly(9);
    MoveOnly taken = result.release_value();
    EXPECT_EQ(taken.value, 9);
}

TEST(Result, CustomErrorTypes) {
    enum class ParseError { Empty, Garbage };
    Result<int, ParseError> result = base::fail(ParseError::Garbage);
    EXPECT_TRUE(result.is_error());
    EXPECT_EQ(result.error(), ParseError::Garbage);
}

TEST(Result, ErrorCodesAreStableAbiValues) {
    EXPECT_EQ(static_cast<unsigned>(Error::InvalidArgument), 1u);
    EXPECT_EQ(static_cast<unsigned>(Error::BadHandle), 3u);
    EXPECT_STREQ(base::error_name(Error::PeerClosed), "PeerClosed");
}
