#include <gtest/gtest.h>
#include <object/ring_cursors.h>

using base::Error;

TEST(RingCursors, OffersWhatTheTailIsAheadBy) {
    RingCursors cursors(8, 16);
    EXPECT_EQ(cursors.submissions_offered(0).value(), 0u);
    EXPECT_EQ(cursors.submissions_offered(8).value(), 8u);
    EXPECT_TRUE(cursors.submissions_offered(9).failed_with(Error::BadState));
    EXPECT_TRUE(cursors.submissions_offered(~0u).failed_with(Error::BadState));  // behind the head
}

TEST(RingCursors, SlotsAreTheCursorsMasked) {
    RingCursors cursors(4, 8);
    // Several times round both queues; a tail behind the head is a difference modulo 2^32.
    for (u32 i = 0; i < 10; ++i) {
        EXPECT_EQ(cursors.next_submission_slot(), i % 4);
        ASSERT_TRUE(cursors.reserve_completion());
        cursors.consume_submission();
        EXPECT_EQ(cursors.complete_reserved(), i % 8);
        ASSERT_TRUE(cursors.update_cq_head(i + 1).is_ok());
    }
    EXPECT_EQ(cursors.submissions_offered(10 + 4).value(), 4u);
    EXPECT_TRUE(cursors.submissions_offered(9).failed_with(Error::BadState));
}

TEST(RingCursors, ReservationsAndUnreadCompletionsShareTheQueue) {
    RingCursors cursors(4, 4);
    for (int i = 0; i < 4; ++i) EXPECT_TRUE(cursors.reserve_completion());
    EXPECT_FALSE(cursors.reserve_completion());
    cursors.complete_reserved();
    cursors.complete_reserved();
    EXPECT_FALSE(cursors.reserve_completion());  // written, not yet read
    EXPECT_EQ(cursors.completions_ready(), 2u);
    ASSERT_TRUE(cursors.update_cq_head(1).is_ok());
    EXPECT_TRUE(cursors.reserve_completion());
    EXPECT_FALSE(cursors.reserve_completion());
    EXPECT_EQ(cursors.reserved(), 3u);
}

TEST(RingCursors, CompletionHeadOnlyMovesForwardAndNotPastTheTail) {
    RingCursors cursors(4, 8);
    for (int i = 0; i < 3; ++i) {
        ASSERT_TRUE(cursors.reserve_completion());
        cursors.complete_reserved();
    }
    EXPECT_TRUE(cursors.update_cq_head(4).failed_with(Error::BadState));
    EXPECT_TRUE(cursors.update_cq_head(2).is_ok());
    EXPECT_TRUE(cursors.update_cq_head(1).failed_with(Error::BadState));  // backwards
    EXPECT_TRUE(cursors.update_cq_head(~0u).failed_with(Error::BadState));
    EXPECT_EQ(cursors.cq_head(), 2u);
    EXPECT_TRUE(cursors.update_cq_head(3).is_ok());
    EXPECT_EQ(cursors.completions_ready(), 0u);
}

TEST(RingCursors, ARefusedHeadChangesNothing) {
    RingCursors cursors(2, 4);
    ASSERT_TRUE(cursors.reserve_completion());
    cursors.complete_reserved();
    EXPECT_TRUE(cursors.update_cq_head(0x80000000).failed_with(Error::BadState));
    EXPECT_EQ(cursors.cq_head(), 0u);
    EXPECT_EQ(cursors.completions_ready(), 1u);
}

TEST(RingCursors, ARunMovesTheCursorsTogether) {
    RingCursors cursors(4, 8);
    ASSERT_EQ(cursors.reserve_completions(3), 3u);
    cursors.consume_submissions(3);
    EXPECT_EQ(cursors.next_completion_slot(), 0u);
    cursors.complete_reserved(3);
    EXPECT_EQ(cursors.next_submission_slot(), 3u);
    EXPECT_EQ(cursors.next_completion_slot(), 3u);
    EXPECT_EQ(cursors.reserved(), 0u);
    EXPECT_EQ(cursors.completions_ready(), 3u);
    EXPECT_EQ(cursors.sq_head(), 3u);
    EXPECT_EQ(cursors.cq_tail(), 3u);
}
