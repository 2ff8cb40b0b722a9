#include <gtest/gtest.h>
#include <services/exit_log.h>

using services::ExitLog;
using services::ExitRecord;

namespace {

ExitRecord exit_of(u64 task_id, i64 status, std::initializer_list<u64> ancestors) {
    ExitRecord record;
    record.task_id = task_id;
    record.status = status;
    record.name[0] = 't';
    for (u64 ancestor : ancestors) record.ancestors[record.ancestor_count++] = ancestor;
    return record;
}

template <usize N>
using Log = ExitLog<N>;

}  // namespace

TEST(ExitLog, SequencesStartAtOneAndAscend) {
    Log<4> log;
    EXPECT_EQ(log.latest(), 0u);
    EXPECT_EQ(log.append(exit_of(10, 0, {1})), 1u);
    EXPECT_EQ(log.append(exit_of(11, 0, {1})), 2u);
    EXPECT_EQ(log.latest(), 2u);
    EXPECT_EQ(log.oldest(), 1u);
}

TEST(ExitLog, AReaderSeesOnlyExitsBelowIt) {
    Log<8> log;
    log.append(exit_of(10, 5, {2, 1}));  // below 2 and 1
    log.append(exit_of(11, 6, {3, 1}));  // below 3 and 1
    ExitRecord out[8];
    auto reading = log.read(0, 2, base::Span<ExitRecord>(out, 8));
    ASSERT_EQ(reading.count, 1u);
    EXPECT_EQ(out[0].task_id, 10u);
    EXPECT_EQ(out[0].status, 5);
    EXPECT_EQ(out[0].sequence, 1u);
    EXPECT_EQ(reading.up_to, 2u);  // the other one was looked at too
    EXPECT_EQ(log.read(0, 1, base::Span<ExitRecord>(out, 8)).count, 2u);
    EXPECT_EQ(log.read(0, 10, base::Span<ExitRecord>(out, 8)).count, 0u);  // not its own exit
}

TEST(ExitLog, AFullOutputStopsAtTheLastRecordItHolds) {
    Log<8> log;
    for (u64 i = 0; i < 5; ++i) log.append(exit_of(20 + i, 0, {1}));
    ExitRecord out[2];
    auto reading = log.read(0, 1, base::Span<ExitRecord>(out, 2));
    EXPECT_EQ(reading.count, 2u);
    EXPECT_EQ(reading.up_to, 2u);
    reading = log.read(reading.up_to, 1, base::Span<ExitRecord>(out, 2));
    EXPECT_EQ(reading.count, 2u);
    EXPECT_EQ(out[0].sequence, 3u);
    EXPECT_EQ(reading.up_to, 4u);
}

TEST(ExitLog, AReaderTooFarBehindMustResync) {
    Log<4> log;
    for (u64 i = 0; i < 6; ++i) log.append(exit_of(20 + i, 0, {1}));
    EXPECT_EQ(log.oldest(), 3u);
    ExitRecord out[4];
    EXPECT_TRUE(log.read(0, 1, base::Span<ExitRecord>(out, 4)).lost);
    EXPECT_TRUE(log.read(1, 1, base::Span<ExitRecord>(out, 4)).lost);
    auto reading = log.read(2, 1, base::Span<ExitRecord>(out, 4));  // everything after 2 is kept
    EXPECT_FALSE(reading.lost);
    EXPECT_EQ(reading.count, 4u);
    EXPECT_EQ(out[0].sequence, 3u);
}

TEST(ExitLog, ASequenceFromTheFutureIsInvalidAtAnyWidth) {
    Log<4> log;
    log.append(exit_of(20, 0, {1}));
    ExitRecord out[4];
    EXPECT_TRUE(log.read(2, 1, base::Span<ExitRecord>(out, 4)).invalid);
    EXPECT_TRUE(log.read(~u64(0), 1, base::Span<ExitRecord>(out, 4)).invalid);
    auto reading = log.read(1, 1, base::Span<ExitRecord>(out, 4));  // up to date: nothing yet
    EXPECT_FALSE(reading.invalid);
    EXPECT_EQ(reading.count, 0u);
    EXPECT_EQ(reading.up_to, 1u);
}

TEST(ExitLog, AChildsAncestorsAreItsSpawnerAndTheSpawnersKeepingTheRoot) {
    constexpr usize max = ExitRecord::max_ancestors;
    u64 chain[max] = {};
    usize count = services::ancestors_of_child(1, {}, chain);  // a child of a root
    ASSERT_EQ(count, 1u);
    EXPECT_EQ(chain[0], 1u);
    // Deeper and deeper: the nearest stay, and the root (1) stays last.
    for (u64 depth = 2; depth < 20; ++depth) {
        u64 next[max] = {};
        count = services::ancestors_of_child(depth, base::Span<const u64>(chain, count), next);
        ASSERT_LE(count, max);
        EXPECT_EQ(next[0], depth);
        EXPECT_EQ(next[count - 1], 1u);
        if (depth >= max) EXPECT_EQ(count, max);
        for (usize i = 0; i < count; ++i) chain[i] = next[i];
    }
    EXPECT_EQ(chain[1], 18u);
}
