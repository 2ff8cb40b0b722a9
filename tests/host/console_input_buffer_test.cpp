#include <console/input_buffer.h>
#include <gtest/gtest.h>

using console::InputBuffer;

TEST(ConsoleInputBuffer, BytesComeOutOldestFirst) {
    InputBuffer<8> buffer;
    for (u8 byte : {'a', 'b', 'c'}) EXPECT_TRUE(buffer.push(byte));
    u8 out[8];
    ASSERT_EQ(buffer.take(base::Bytes(out, 2)), 2u);
    EXPECT_EQ(out[0], 'a');
    EXPECT_EQ(out[1], 'b');
    ASSERT_EQ(buffer.take(base::Bytes(out, 8)), 1u);
    EXPECT_EQ(out[0], 'c');
    EXPECT_TRUE(buffer.is_empty());
    EXPECT_EQ(buffer.take(base::Bytes(out, 8)), 0u);
}

TEST(ConsoleInputBuffer, AFullBufferDropsTheNewestAndCountsThem) {
    InputBuffer<4> buffer;
    for (u8 byte = 0; byte < 4; ++byte) EXPECT_TRUE(buffer.push(byte));
    EXPECT_FALSE(buffer.push(100));
    EXPECT_FALSE(buffer.push(101));
    EXPECT_EQ(buffer.size(), 4u);
    u8 out[4];
    ASSERT_EQ(buffer.take(base::Bytes(out, 4)), 4u);
    for (u8 byte = 0; byte < 4; ++byte) EXPECT_EQ(out[byte], byte);  // the oldest kept, in order
    EXPECT_EQ(buffer.take_dropped(), 2u);
    EXPECT_EQ(buffer.take_dropped(), 0u);  // counted once
}

TEST(ConsoleInputBuffer, WrapsAroundItsEndManyTimes) {
    InputBuffer<5> buffer;
    u8 next_in = 0, next_out = 0;
    for (int round = 0; round < 100; ++round) {
        for (int i = 0; i < 3; ++i) EXPECT_TRUE(buffer.push(next_in++));
        u8 out[3];
        ASSERT_EQ(buffer.take(base::Bytes(out, 3)), 3u);
        for (u8 byte : out) EXPECT_EQ(byte, next_out++);
    }
    EXPECT_EQ(buffer.take_dropped(), 0u);
}

TEST(ConsoleInputBuffer, RoomFreedByATakeIsUsedAgain) {
    InputBuffer<2> buffer;
    EXPECT_TRUE(buffer.push('x'));
    EXPECT_TRUE(buffer.push('y'));
    EXPECT_FALSE(buffer.push('z'));
    u8 out[1];
    EXPECT_EQ(buffer.take(base::Bytes(out, 1)), 1u);
    EXPECT_TRUE(buffer.push('w'));
    u8 rest[2];
    ASSERT_EQ(buffer.take(base::Bytes(rest, 2)), 2u);
    EXPECT_EQ(rest[0], 'y');
    EXPECT_EQ(rest[1], 'w');
    EXPECT_EQ(buffer.take_dropped(), 1u);
}
