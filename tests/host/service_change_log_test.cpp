// The service registry's change log (kernel/object/service_change_log.h): sequence numbers in
// order, the ring wrapping round, and asking for more than it holds.

#include <gtest/gtest.h>
#include <object/service_change_log.h>

#include <string>

namespace {

using Change = ServiceChangeLog::Change;

std::string name_of(const Change& change) { return std::string(change.name().data(), change.name().length()); }

TEST(ServiceChangeLog, StartsEmptyAtSequenceZero) {
    ServiceChangeLog log;
    Change out[4];
    EXPECT_EQ(log.sequence(), 0u);
    EXPECT_TRUE(log.holds_changes_after(0));
    EXPECT_EQ(log.copy_after(0, base::Span<Change>(out, 4)), 0u);
    EXPECT_FALSE(log.holds_changes_after(1));  // the future is not held
}

TEST(ServiceChangeLog, GivesChangesAfterASequenceInOrder) {
    ServiceChangeLog log;
    log.record("a", true);
    log.record("b", true);
    log.record("a", false);
    EXPECT_EQ(log.sequence(), 3u);
    Change out[8];
    ASSERT_EQ(log.copy_after(0, base::Span<Change>(out, 8)), 3u);
    EXPECT_EQ(out[0].sequence, 1u);
    EXPECT_EQ(name_of(out[0]), "a");
    EXPECT_TRUE(out[0].appeared);
    EXPECT_EQ(out[1].sequence, 2u);
    EXPECT_EQ(name_of(out[1]), "b");
    EXPECT_EQ(out[2].sequence, 3u);
    EXPECT_EQ(name_of(out[2]), "a");
    EXPECT_FALSE(out[2].appeared);
    ASSERT_EQ(log.copy_after(2, base::Span<Change>(out, 8)), 1u);
    EXPECT_EQ(out[0].sequence, 3u);
    EXPECT_EQ(log.copy_after(3, base::Span<Change>(out, 8)), 0u);
}

TEST(ServiceChangeLog, CopiesNoMoreThanTheOutputHoldsOldestFirst) {
    ServiceChangeLog log;
    for (int i = 0; i < 10; ++i) log.record("x", i % 2 == 0);
    Change out[3];
    ASSERT_EQ(log.copy_after(4, base::Span<Change>(out, 3)), 3u);
    EXPECT_EQ(out[0].sequence, 5u);
    EXPECT_EQ(out[2].sequence, 7u);
}

TEST(ServiceChangeLog, WrapsRoundKeepingTheLastCapacityChanges) {
    ServiceChangeLog log;
    constexpr u64 total = ServiceChangeLog::capacity * 3 + 5;
    char name[] = "n0";
    for (u64 i = 1; i <= total; ++i) {
        name[1] = static_cast<char>('0' + i % 10);
        log.record(name, i % 2 == 1);
    }
    EXPECT_EQ(log.sequence(), total);
    u64 oldest_after = total - ServiceChangeLog::capacity;
    EXPECT_TRUE(log.holds_changes_after(oldest_after));
    Change out[ServiceChangeLog::capacity];
    ASSERT_EQ(log.copy_after(oldest_after, base::Span<Change>(out, ServiceChangeLog::capacity)),
              ServiceChangeLog::capacity);
    for (u64 i = 0; i < ServiceChangeLog::capacity; ++i) {
        u64 sequence = oldest_after + 1 + i;
        EXPECT_EQ(out[i].sequence, sequence);
        EXPECT_EQ(out[i].appeared, sequence % 2 == 1);
        EXPECT_EQ(out[i].name().data()[1], static_cast<char>('0' + sequence % 10));
    }
}

TEST(ServiceChangeLog, RefusesChangesOlderThanItHolds) {
    ServiceChangeLog log;
    for (u64 i = 0; i < ServiceChangeLog::capacity + 1; ++i) log.record("x", true);
    Change out[4];
    EXPECT_FALSE(log.holds_changes_after(0));  // change 1 is gone
    EXPECT_EQ(log.copy_after(0, base::Span<Change>(out, 4)), 0u);
    EXPECT_TRUE(log.holds_changes_after(1));
    EXPECT_FALSE(log.holds_changes_after(log.sequence() + 1));
}

TEST(ServiceChangeLog, KeepsWholeLongestNames) {
    ServiceChangeLog log;
    std::string longest(poplar::abi::max_service_name_bytes, 'z');
    log.record(base::StringView(longest.data(), longest.size()), true);
    Change out[1];
    ASSERT_EQ(log.copy_after(0, base::Span<Change>(out, 1)), 1u);
    EXPECT_EQ(name_of(out[0]), longest);
}

}  // namespace
