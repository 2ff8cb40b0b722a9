#include <base/intrusive_list.h>
#include <gtest/gtest.h>

namespace {

struct Item {
    explicit Item(int v) : value(v) {}
    int value;
    base::ListNode ready_node;
    base::ListNode all_node;
};

using ReadyList = base::IntrusiveList<Item, &Item::ready_node>;
using AllList = base::IntrusiveList<Item, &Item::all_node>;

}  // namespace

TEST(IntrusiveList, KeepsOrderAndRemovesFromTheMiddle) {
    Item a(1), b(2), c(3);
    ReadyList list;
    list.push_back(a);
    list.push_back(b);
    list.push_back(c);
    EXPECT_EQ(list.size(), 3u);
    list.remove(b);
    int expected[] = {1, 3};
    int index = 0;
    for (auto& item : list) EXPECT_EQ(item.value, expected[index++]);
    EXPECT_EQ(list.pop_front()->value, 1);
    EXPECT_EQ(list.pop_front()->value, 3);
    EXPECT_TRUE(list.is_empty());
    EXPECT_EQ(list.pop_front(), nullptr);
}

TEST(IntrusiveList, AnElementCanBeOnTwoListsAtOnce) {
    Item a(1), b(2);
    ReadyList ready;
    AllList all;
    all.push_back(a);
    all.push_back(b);
    ready.push_front(b);
    EXPECT_EQ(ready.front()->value, 2);
    EXPECT_EQ(all.back()->value, 2);
    ready.remove(b);
    all.remove(a);
    all.remove(b);
}

TEST(IntrusiveList, InsertBeforeKeepsSortedPositions) {
    Item a(1), b(2), c(3);
    ReadyList list;
    list.push_back(a);
    list.push_back(c);
    list.insert_before(c, b);
    EXPECT_EQ(list.next(a)->value, 2);
    EXPECT_EQ(list.next(b)->value, 3);
    EXPECT_EQ(list.next(c), nullptr);
    while (list.pop_front()) {
    }
}
