// The owning containers and sum types that messages are built from.

#include <ptah/map.h>
#include <ptah/optional.h>
#include <ptah/variant.h>

#include "test_support.h"

using namespace ptah_test;

namespace {

// Counts live instances, to check construction and destruction pair up.
struct Tracked {
    static inline int live = 0;
    int value = 0;
    Tracked() { ++live; }
    explicit Tracked(int v) : value(v) { ++live; }
    Tracked(Tracked&& other) : value(other.value) { ++live; }
    Tracked(const Tracked& other) : value(other.value) { ++live; }
    Tracked& operator=(const Tracked&) = default;
    Tracked& operator=(Tracked&&) = default;
    ~Tracked() { --live; }
    bool operator==(const Tracked&) const = default;
};

}  // namespace

TEST(Vector, GrowsMovingElementsAndFreesEverything) {
    CountingAllocator allocator;
    {
        ptah::Vector<Tracked> vector(allocator);
        for (int i = 0; i < 100; ++i) MUST(vector.append(Tracked(i)));
        EXPECT_EQ(vector.size(), 100u);
        EXPECT_EQ(vector[57].value, 57);
        EXPECT_EQ(Tracked::live, 100);
    }
    EXPECT_EQ(Tracked::live, 0);
    EXPECT_EQ(allocator.outstanding(), 0u);
}

TEST(Vector, FailedGrowthIsOutOfMemoryAndKeepsTheContents) {
    CountingAllocator allocator(1);
    ptah::Vector<u32> vector(allocator);
    for (u32 i = 0; i < 4; ++i) MUST(vector.append(u32(i)));
    auto grown = vector.append(4u);
    ASSERT_TRUE(grown.is_error());
    EXPECT_EQ(grown.error(), ptah::Error::OutOfMemory);
    EXPECT_EQ(vector.size(), 4u);
    EXPECT_EQ(vector[3], 3u);
}

TEST(Vector, WithoutAnAllocatorCannotGrow) {
    ptah::Vector<u8> vector;
    EXPECT_EQ(vector.append(1).error(), ptah::Error::NoAllocator);
}

TEST(String, CopiesValidUtf8AndRefusesInvalid) {
    auto& heap = ptah::heap_allocator();
    auto text = ptah::String::copy(heap, "h\xc3\xa9llo");
    ASSERT_TRUE(text.is_ok());
    EXPECT_EQ(text->length(), 6u);
    EXPECT_TRUE(*text == base::StringView("h\xc3\xa9llo"));
    EXPECT_EQ(ptah::String::copy(heap, "\xed\xa0\x80").error(), ptah::Error::Utf8Surrogate);
}

TEST(Map, KeepsKeysSortedAndReplacesOnInsert) {
    auto& heap = ptah::heap_allocator();
    ptah::Map<ptah::String, int> map(heap);
    for (const char* name : {"pear", "apple", "fig", "apple"})
        MUST(map.insert(MUST(ptah::String::copy(heap, name)), 1));
    MUST(map.insert(MUST(ptah::String::copy(heap, "fig")), 9));
    ASSERT_EQ(map.size(), 3u);
    const char* expected[] = {"apple", "fig", "pear"};
    int index = 0;
    for (const auto& entry : map) EXPECT_TRUE(entry.key == base::StringView(expected[index++]));
    ASSERT_NE(map.find(base::StringView("fig")), nullptr);
    EXPECT_EQ(*map.find(base::StringView("fig")), 9);
    EXPECT_EQ(map.find(base::StringView("kiwi")), nullptr);
}

TEST(Map, StringKeysOrderBytewiseLikeRust) {
    EXPECT_LT(ptah::compare_keys(base::StringView("Z"), base::StringView("a")), 0);
    EXPECT_LT(ptah::compare_keys(base::StringView("ab"), base::StringView("abc")), 0);
    EXPECT_GT(ptah::compare_keys(base::StringView("\xc3\xa9"), base::StringView("z")), 0);
    EXPECT_EQ(ptah::compare_keys(base::StringView("same"), base::StringView("same")), 0);
}

TEST(Optional, HoldsAndReleasesItsValue) {
    {
        ptah::Optional<Tracked> option;
        EXPECT_FALSE(option.has_value());
        option = Tracked(3);
        EXPECT_EQ(option->value, 3);
        ptah::Optional<Tracked> copy = option;
        EXPECT_TRUE(copy == option);
        option.reset();
        EXPECT_FALSE(copy == option);
        EXPECT_EQ(Tracked::live, 1);
    }
    EXPECT_EQ(Tracked::live, 0);
}

TEST(Variant, IndexFollowsDeclarationOrder) {
    using Choice = ptah::Variant<u8, Tracked, ptah::NoneType>;
    static_assert(Choice::index_of<u8> == 0 && Choice::index_of<Tracked> == 1 && Choice::index_of<ptah::NoneType> == 2);
    Choice choice;
    EXPECT_TRUE(choice.is<u8>());
    choice = Tracked(5);
    EXPECT_EQ(choice.index(), 1u);
    EXPECT_EQ(choice.get<Tracked>().value, 5);
    EXPECT_EQ(choice.get_if<u8>(), nullptr);
    Choice copy = choice;
    EXPECT_TRUE(copy == choice);
    choice.emplace<ptah::NoneType>();
    EXPECT_FALSE(copy == choice);
    EXPECT_EQ(Tracked::live, 1);
    copy = ptah::NoneType{};
    EXPECT_EQ(Tracked::live, 0);
}
