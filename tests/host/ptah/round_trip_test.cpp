// Round trips over many deterministically generated values of a type that uses every Ptah feature:
// decode(encode(v)) == v, encoded_size agrees with encode, and re-encoding reproduces the bytes.

#include <deque>
#include <string>

#include "test_support.h"

using namespace ptah_test;

namespace {

enum class Object : u32 { Channel = 4, Event = 5 };

struct Point {
    i32 x = 0;
    i32 y = 0;
    PTAH_FIELDS(x, y)
    bool operator==(const Point&) const = default;
};
struct Quit {
    bool operator==(const Quit&) const = default;
};
struct Move {
    Point to;
    ptah::Optional<u8> speed;
    PTAH_FIELDS(to, speed)
    bool operator==(const Move&) const = default;
};
struct Say {
    ptah::String text;
    char32_t mark = U'!';
    PTAH_FIELDS(text, mark)
    bool operator==(const Say&) const = default;
};
using Command = ptah::Variant<Quit, Move, Say>;

struct Everything {
    bool flag = false;
    u8 a = 0;
    u16 b = 0;
    u32 c = 0;
    u64 d = 0;
    i8 e = 0;
    i16 f = 0;
    i32 g = 0;
    i64 h = 0;
    ptah::u128 wide = 0;
    ptah::i128 signed_wide = 0;
    float single = 0;
    double twice = 0;
    char32_t letter = 0;
    base::StringView borrowed;
    ptah::String owned;
    ptah::Optional<u32> maybe;
    ptah::Vector<ptah::Pair<usize, u32>> segments;
    ptah::Map<ptah::String, i64> table;
    ptah::Vector<Command> commands;
    u8 fixed[3] = {};
    ptah::Handle<Object::Channel> channel;
    ptah::Optional<ptah::AnyHandle> extra;
    ptah::Vector<ptah::Vector<u8>> nested;
    Quit unit;
    PTAH_FIELDS(flag, a, b, c, d, e, f, g, h, wide, signed_wide, single, twice, letter, borrowed, owned, maybe,
                segments, table, commands, fixed, channel, extra, nested, unit)
    bool operator==(const Everything&) const = default;
};

// A small deterministic generator (xorshift64*), so a failure reproduces.
class Generator {
public:
    explicit Generator(u64 seed) : state_(seed * 2 + 1) {}
    u64 next() {
        state_ ^= state_ >> 12;
        state_ ^= state_ << 25;
        state_ ^= state_ >> 27;
        return state_ * 0x2545F4914F6CDD1Dull;
    }
    u64 below(u64 bound) { return next() % bound; }
    bool coin() { return next() & 1; }

    char32_t scalar() {
        static constexpr u32 kRangeEnds[] = {0x80, 0x800, 0x10000, 0x110000};
        u32 value = below(kRangeEnds[below(4)]);
        return ptah::is_unicode_scalar(value) ? value : U'?';
    }

    std::string text() {
        std::string result;
        for (u64 i = below(12); i > 0; --i) append_utf8(result, scalar());
        return result;
    }

private:
    static void append_utf8(std::string& out, char32_t c) {
        if (c < 0x80) {
            out += char(c);
        } else if (c < 0x800) {
            out += char(0xc0 | (c >> 6)), out += char(0x80 | (c & 0x3f));
        } else if (c < 0x10000) {
            out += char(0xe0 | (c >> 12)), out += char(0x80 | ((c >> 6) & 0x3f)), out += char(0x80 | (c & 0x3f));
        } else {
            out += char(0xf0 | (c >> 18)), out += char(0x80 | ((c >> 12) & 0x3f));
            out += char(0x80 | ((c >> 6) & 0x3f)), out += char(0x80 | (c & 0x3f));
        }
    }

    u64 state_;
};

ptah::String owned_text(Generator& generator) {
    return MUST(ptah::String::copy(ptah::heap_allocator(), view(generator.text())));
}

Command make_command(Generator& generator) {
    switch (generator.below(3)) {
        case 0:
            return Quit{};
        case 1: {
            Move move{{i32(generator.next()), i32(generator.next())}, {}};
            if (generator.coin()) move.speed = u8(generator.next());
            return move;
        }
        default:
            return Say{owned_text(generator), generator.scalar()};
    }
}

// `texts` keeps the borrowed strings alive.
Everything make_everything(Generator& generator, std::deque<std::string>& texts) {
    auto& heap = ptah::heap_allocator();
    Everything value;
    value.flag = generator.coin();
    value.a = generator.next(), value.b = generator.next(), value.c = generator.next(), value.d = generator.next();
    value.e = generator.next(), value.f = generator.next(), value.g = generator.next(), value.h = generator.next();
    value.wide = (ptah::u128(generator.next()) << 64) | generator.next();
    value.signed_wide = ptah::i128(value.wide);
    value.single = float(i32(generator.next())) / 7.0f;  // finite, so == compares them
    value.twice = double(i64(generator.next())) / 3.0;
    value.letter = generator.scalar();
    value.borrowed = view(texts.emplace_back(generator.text()));
    value.owned = owned_text(generator);
    if (generator.coin()) value.maybe = u32(generator.next());
    value.segments = ptah::Vector<ptah::Pair<usize, u32>>(heap);
    for (u64 i = generator.below(5); i > 0; --i) MUST(value.segments.append({generator.next(), u32(generator.next())}));
    value.table = ptah::Map<ptah::String, i64>(heap);
    for (u64 i = generator.below(6); i > 0; --i) MUST(value.table.insert(owned_text(generator), i64(generator.next())));
    value.commands = ptah::Vector<Command>(heap);
    for (u64 i = generator.below(4); i > 0; --i) MUST(value.commands.append(make_command(generator)));
    for (u8& byte : value.fixed) byte = generator.next();
    value.channel.value = u32(generator.next());
    if (generator.coin()) value.extra = ptah::AnyHandle{u32(generator.next()), u32(Object::Event)};
    value.nested = ptah::Vector<ptah::Vector<u8>>(heap);
    for (u64 i = generator.below(3); i > 0; --i) {
        ptah::Vector<u8> inner(heap);
        for (u64 j = generator.below(9); j > 0; --j) MUST(inner.append(u8(generator.next())));
        MUST(value.nested.append(std::move(inner)));
    }
    return value;
}

}  // namespace

TEST(RoundTrip, GeneratedValuesSurviveEncodeAndDecode) {
    for (u64 seed = 0; seed < 2000; ++seed) {
        Generator generator(seed);
        std::deque<std::string> texts;
        Everything original = make_everything(generator, texts);
        Encoded encoded = encode(original);
        auto decoded = decode<Everything>(encoded.bytes, encoded.handles);
        ASSERT_TRUE(decoded.is_ok()) << "seed " << seed << ": " << ptah::error_name(decoded.error());
        ASSERT_TRUE(*decoded == original) << "seed " << seed;
        Encoded again = encode(*decoded);
        ASSERT_EQ(again.bytes, encoded.bytes) << "seed " << seed;
        ASSERT_EQ(again.handles, encoded.handles) << "seed " << seed;
    }
}

TEST(RoundTrip, DecodedMessagesGiveBackAllTheirMemory) {
    CountingAllocator allocator;
    {
        Generator generator(7);
        std::deque<std::string> texts;
        Everything original = make_everything(generator, texts);
        Encoded encoded = encode(original);
        auto decoded = decode<Everything>(encoded.bytes, encoded.handles, {.allocator = &allocator});
        ASSERT_TRUE(decoded.is_ok());
        EXPECT_GT(allocator.outstanding(), 0u);
    }
    EXPECT_EQ(allocator.outstanding(), 0u);
}

TEST(RoundTrip, EveryTruncationOfAValidMessageFailsCleanly) {
    Generator generator(99);
    std::deque<std::string> texts;
    Encoded encoded = encode(make_everything(generator, texts));
    for (usize length = 0; length < encoded.bytes.size(); ++length) {
        ByteVector prefix(encoded.bytes.begin(), encoded.bytes.begin() + length);
        EXPECT_TRUE(decode<Everything>(prefix, encoded.handles).is_error()) << length;
    }
}

TEST(RoundTrip, IntegersAtTheirLimits) {
    for (u64 value : {u64(0), u64(1), u64(0x7f), u64(0x80), u64(0xffffffff), ~u64(0)}) {
        auto decoded = decode<u64>(encode(value).bytes);
        EXPECT_EQ(*decoded, value);
    }
    for (i64 value : {i64(-1), i64(1) << 63, ~(i64(1) << 63)}) EXPECT_EQ(*decode<i64>(encode(value).bytes), value);
    ptah::i128 smallest = ptah::i128(ptah::u128(1) << 127);
    EXPECT_TRUE(*decode<ptah::i128>(encode(smallest).bytes) == smallest);
}
