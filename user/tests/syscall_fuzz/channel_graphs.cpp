// family::cycles and family::chains: channel ends queued inside channels. A cycle (an end in its
// own queue, or ends in each other's) keeps itself alive once the last outside handle closes,
// unless the kernel breaks it; a chain (each end queued inside the previous one) is torn down
// end by end when its head closes, as deep as it is long.

#include "steps.h"

namespace fuzz {

namespace {

constexpr u64 max_chain_depth = 4096;
constexpr u64 max_ring = 8;

struct Pair {
    HandleValue a = 0, b = 0;
};

bool create_pair(Fuzzer& f, Pair& pair) {
    HandleValue values[2] = {};
    if (!f.call(Syscall::channel_create, sys::arg(values)).is_ok()) return false;
    pair = {values[0], values[1]};
    return true;
}

// Sends `count` handles through `via` (into the queue of its peer), with a few bytes.
bool send_ends(Fuzzer& f, HandleValue via, const HandleValue* handles, u64 count) {
    const u8 bytes[8] = {'q', 'u', 'e', 'u', 'e', 'd'};
    return f.call(Syscall::channel_send, via, sys::arg(bytes), sizeof(bytes), sys::arg(handles), count).is_ok();
}

void close(Fuzzer& f, HandleValue value) {
    if (value) f.call(Syscall::handle_close, value);
}

// b queued in its own queue (sent through a), then a closed: b's only handle is inside b.
void self_cycle(Fuzzer& f) {
    Pair pair;
    if (!create_pair(f, pair)) return;
    bool other_way = f.random().one_in(2);  // or a in a's queue, sent through b
    HandleValue via = other_way ? pair.b : pair.a, queued = other_way ? pair.a : pair.b;
    HandleValue payload[3] = {queued};
    u64 count = 1;
    // Sometimes with other objects aboard, which the cycle then holds too.
    if (f.random().one_in(2)) {
        auto event = f.call(Syscall::event_create);
        if (event.is_ok()) payload[count++] = static_cast<HandleValue>(event.value);
        auto memory = f.call(Syscall::memory_object_create, abi::page_size, abi::memory_flags::writable);
        if (memory.is_ok()) payload[count++] = static_cast<HandleValue>(memory.value);
    }
    if (!send_ends(f, via, payload, count))
        for (u64 i = 0; i < count; ++i) close(f, payload[i]);
    close(f, via);
}

// A ring of pairs: b[i + 1] queued in b[i]'s queue, and b[0] in the last one's. Two pairs queued
// in each other is the smallest.
void ring(Fuzzer& f) {
    u64 size = f.random().one_in(2) ? 2 : f.random().between(3, max_ring);
    Pair pairs[max_ring];
    u64 made = 0;
    while (made < size && create_pair(f, pairs[made])) ++made;
    for (u64 i = 0; i < made; ++i) {
        HandleValue& next = pairs[(i + 1) % made].b;
        if (next && send_ends(f, pairs[i].a, &next, 1)) next = 0;
    }
    for (u64 i = 0; i < made; ++i) {
        close(f, pairs[i].a);
        close(f, pairs[i].b);  // only those not queued
    }
}

}  // namespace

void cycle_step(Fuzzer& f) {
    if (f.random().one_in(2))
        self_cycle(f);
    else
        ring(f);
}

void chain_step(Fuzzer& f) {
    u64 depth = f.random().between(16, max_chain_depth);
    // Both ends of each pair queued in the next, or only b (a closed first).
    bool both_ends = f.random().one_in(2);
    Pair previous;
    if (!create_pair(f, previous)) return;
    for (u64 level = 0; level < depth; ++level) {
        Pair next;
        if (!create_pair(f, next)) break;
        if (!both_ends) close(f, base::exchange(previous.a, 0));
        HandleValue ends[2] = {previous.b, previous.a};
        if (!send_ends(f, next.a, ends, both_ends ? 2 : 1)) {
            close(f, previous.a);
            close(f, previous.b);
            previous = next;
            break;
        }
        previous = next;
    }
    // The head goes away in one of the ways a handle does.
    switch (f.random().below(3)) {
        case 0:
            close(f, previous.a);
            close(f, previous.b);
            break;
        case 1:
            close(f, previous.b);
            close(f, previous.a);
            break;
        default:
            // Kept: closed later by a random call, the pool, or this task's end.
            f.adopt(previous.a, Kind::channel);
            f.adopt(previous.b, Kind::channel);
            break;
    }
}

}  // namespace fuzz
