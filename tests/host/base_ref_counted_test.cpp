#include <base/ref_counted.h>
#include <gtest/gtest.h>

namespace {

struct Tracked : base::RefCounted<Tracked> {
    explicit Tracked(int* live) : live(live) { ++*live; }
    ~Tracked() { --*live; }
    int* live;
};

}  // namespace

TEST(RefPtr, LastReferenceDeletes) {
    int live = 0;
    {
        auto first = base::adopt_ref(new Tracked(&live));
        EXPECT_EQ(first->ref_count(), 1u);
        {
            base::RefPtr<Tracked> second = first;
            EXPECT_EQ(first->ref_count(), 2u);
        }
        EXPECT_EQ(live, 1);
    }
    EXPECT_EQ(live, 0);
}

TEST(RefPtr, MoveTransfersWithoutCounting) {
    int live = 0;
    auto first = base::adopt_ref(new Tracked(&live));
    base::RefPtr<Tracked> second = base::move(first);
    EXPECT_FALSE(first);
    EXPECT_EQ(second->ref_count(), 1u);
    second.clear();
    EXPECT_EQ(live, 0);
}

TEST(RefPtr, LeakAndAdoptRoundTrip) {
    int live = 0;
    auto first = base::adopt_ref(new Tracked(&live));
    Tracked* raw = first.leak();
    EXPECT_EQ(live, 1);
    auto again = base::RefPtr<Tracked>::adopt(raw);
    again.clear();
    EXPECT_EQ(live, 0);
}
