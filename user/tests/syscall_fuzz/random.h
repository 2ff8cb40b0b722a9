#pragma once

// The fuzzer's only source of choices: a seeded generator (xorshift64*, seeded through
// splitmix64), so that a seed names one sequence of decisions in each task.

#include <base/types.h>

namespace fuzz {

class Random {
public:
    explicit Random(u64 seed) : state_(mix(seed) | 1) {}

    // splitmix64: spreads nearby seeds (worker 0, 1, 2...) far apart.
    static u64 mix(u64 value) {
        value += 0x9e3779b97f4a7c15ull;
        value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ull;
        value = (value ^ (value >> 27)) * 0x94d049bb133111ebull;
        return value ^ (value >> 31);
    }

    u64 next() {
        state_ ^= state_ >> 12;
        state_ ^= state_ << 25;
        state_ ^= state_ >> 27;
        return state_ * 0x2545f4914f6cdd1dull;
    }

    // Uniform enough in [0, bound); 0 when bound is 0.
    u64 below(u64 bound) { return bound ? next() % bound : 0; }
    // In [low, high].
    u64 between(u64 low, u64 high) { return low + below(high - low + 1); }
    bool one_in(u64 n) { return below(n) == 0; }

    template <typename T, usize N>
    const T& pick(const T (&values)[N]) {
        return values[below(N)];
    }

private:
    u64 state_;
};

}  // namespace fuzz
