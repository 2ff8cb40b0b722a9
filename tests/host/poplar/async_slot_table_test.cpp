// The runtime's table from completion tags to operations (lib/poplar/async/slot_table.h): only a
// live tag finds its operation; stale, forged and repeated tags find nothing.

#include <gtest/gtest.h>
#include <poplar/async/slot_table.h>

using base::Error;
using Table = poplar::async::SlotTable<int>;

TEST(AsyncSlotTable, ALiveTagFindsItsItemOnce) {
    Table::Slot storage[4];
    Table table(base::Span<Table::Slot>(storage, 4));
    int a = 1, b = 2;
    u64 tag_a = table.insert(&a).value();
    u64 tag_b = table.insert(&b).value();
    EXPECT_NE(tag_a, tag_b);
    EXPECT_NE(tag_a, 0u);
    EXPECT_EQ(table.find(tag_a), &a);
    EXPECT_EQ(table.take(tag_b), &b);
    EXPECT_EQ(table.take(tag_b), nullptr);  // a repeated completion
    EXPECT_EQ(table.find(tag_b), nullptr);
    EXPECT_EQ(table.live(), 1u);
}

TEST(AsyncSlotTable, AReusedSlotDoesNotAnswerToItsOldTag) {
    Table::Slot storage[1];
    Table table(base::Span<Table::Slot>(storage, 1));
    int a = 1, b = 2;
    u64 old_tag = table.insert(&a).value();
    EXPECT_EQ(table.take(old_tag), &a);
    u64 new_tag = table.insert(&b).value();
    EXPECT_NE(new_tag, old_tag);
    EXPECT_EQ(table.find(old_tag), nullptr);
    EXPECT_EQ(table.take(old_tag), nullptr);
    EXPECT_EQ(table.find(new_tag), &b);
}

TEST(AsyncSlotTable, ForgedTagsFindNothing) {
    Table::Slot storage[4];
    Table table(base::Span<Table::Slot>(storage, 4));
    int a = 1;
    u64 tag = table.insert(&a).value();
    const u64 forged[] = {
        0, ~u64(0), tag + 1, tag ^ (u64(1) << 20), tag & 0xffff, 3, u64(1) << 16 | 4, (tag & ~u64(0xffff)) | 0xffff};
    for (u64 candidate : forged) EXPECT_EQ(table.find(candidate), nullptr) << candidate;
    EXPECT_EQ(table.find(tag), &a);
}

TEST(AsyncSlotTable, FullTableRefusesAndRecovers) {
    Table::Slot storage[3];
    Table table(base::Span<Table::Slot>(storage, 3));
    int items[4] = {};
    u64 tags[3];
    for (int i = 0; i < 3; ++i) tags[i] = table.insert(&items[i]).value();
    EXPECT_TRUE(table.insert(&items[3]).failed_with(Error::LimitReached));
    EXPECT_EQ(table.take(tags[1]), &items[1]);
    EXPECT_TRUE(table.insert(&items[3]).is_ok());
}

TEST(AsyncSlotTable, ASpentGenerationRetiresTheSlotInsteadOfWrapping) {
    Table::Slot storage[2];
    Table table(base::Span<Table::Slot>(storage, 2));
    table.set_generation_for_test(0, Table::last_generation);
    int a = 1, b = 2;
    u64 last = table.insert(&a).value();
    EXPECT_EQ(last >> Table::index_bits, Table::last_generation);
    EXPECT_EQ(table.take(last), &a);
    EXPECT_EQ(table.retired(), 1u);
    // Slot 0 never comes back: the next tags all use slot 1, and none equals a tag of slot 0.
    for (int i = 0; i < 5; ++i) {
        u64 tag = table.insert(&b).value();
        EXPECT_EQ(tag & 0xffff, 1u);
        EXPECT_EQ(table.take(tag), &b);
    }
    EXPECT_EQ(table.find(last), nullptr);
    // With slot 1 taken, the table is full.
    u64 held = table.insert(&b).value();
    EXPECT_TRUE(table.insert(&a).failed_with(Error::LimitReached));
    EXPECT_EQ(table.take(held), &b);
}

TEST(AsyncSlotTable, ManyRoundsNeverRepeatALiveTag) {
    Table::Slot storage[8];
    Table table(base::Span<Table::Slot>(storage, 8));
    int item = 0;
    u64 previous[8] = {};
    for (int round = 0; round < 1000; ++round) {
        u64 tag = table.insert(&item).value();
        EXPECT_NE(tag, previous[tag & 7]);
        previous[tag & 7] = tag;
        EXPECT_EQ(table.take(tag), &item);
    }
    EXPECT_EQ(table.live(), 0u);
}
