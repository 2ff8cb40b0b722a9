#include <base/bounded_vector.h>
#include <gtest/gtest.h>

namespace {

struct Counted {
    static inline int alive = 0;
    int value;
    explicit Counted(int v) : value(v) { ++alive; }
    Counted(Counted&& other) : value(other.value) { ++alive; }
    ~Counted() { --alive; }
};

TEST(BoundedVector, ConstructsAndDestroysOnlyWhatWasAppended) {
    Counted::alive = 0;
    {
        base::BoundedVector<Counted, 64> values;
        EXPECT_EQ(Counted::alive, 0);
        values.append(Counted(1));
        values.append(Counted(2));
        EXPECT_EQ(Counted::alive, 2);
        EXPECT_EQ(values.size(), 2u);
        EXPECT_EQ(values[1].value, 2);
        EXPECT_EQ(values.span().size(), 2u);
    }
    EXPECT_EQ(Counted::alive, 0);
}

TEST(BoundedVector, FillsToCapacityAndClears) {
    Counted::alive = 0;
    base::BoundedVector<Counted, 3> values;
    for (int i = 0; i < 3; ++i) values.append(Counted(i));
    EXPECT_TRUE(values.is_full());
    values.clear();
    EXPECT_EQ(values.size(), 0u);
    EXPECT_EQ(Counted::alive, 0);
}

}  // namespace
