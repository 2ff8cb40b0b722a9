// ring_create, ring_enter. A ring's memory joins the pool as a memory object: map_call maps it
// and other calls' outputs land in it, so the kernel meets rings whose cursors and entries are
// whatever happened to be written there.

#include "../ring.h"
#include "calls.h"

namespace fuzz {

void ring_create_call(Fuzzer& f) {
    constexpr u64 sizes[] = {1, 2, 4, 8};
    constexpr u64 hostile_sizes[] = {0, 3, u64(abi::ring_max_entries) * 2, 1ull << 32, ~u64(0)};
    u64 entries = f.random().pick(sizes);
    if (f.enabled(family::sizes) && f.random().one_in(4)) entries = f.random().pick(hostile_sizes);
    PointerArgument out = f.pointer(sizeof(abi::RingHandles), Access::output);
    auto result = f.call(Syscall::ring_create, entries, out.address);
    if (!abi::ring_entries_valid(entries))
        f.expect_status(result, Error::InvalidArgument, "ring_create refuses a size that is not a power of two <= 1024",
                        rule(Syscall::ring_create));
    f.check_output(result, out, sizeof(abi::RingHandles), Syscall::ring_create);
    if (result.is_ok()) f.harvest(out.address, 2);
}

void ring_enter_call(Fuzzer& f) {
    HandleArgument ring = f.handle(Kind::unknown);
    u64 to_submit = f.random().below(9), min_complete = f.random().below(3);
    if (f.enabled(family::sizes) && f.random().one_in(4)) {
        const u64 hostile[] = {abi::ring_max_entries + 1, 1ull << 32, ~u64(0)};
        if (f.random().one_in(2))
            to_submit = f.random().pick(hostile);
        else
            min_complete = f.random().pick(hostile);
    }
    auto result = f.call(Syscall::ring_enter, ring.value, to_submit, min_complete, f.deadline());
    f.check_handle(result, ring, Syscall::ring_enter);
    if (result.is_ok() && result.value > to_submit)
        f.fail("ring_enter takes at most to_submit entries", rule(Syscall::ring_enter), 0, result.value);
}

namespace {

constexpr u32 operation_entries = 8;

// What one entry of ring_operations_call handed the kernel, for its completion's checks.
struct Offered {
    u32 opcode = 0;
    PointerArgument handles;  // where received handles land (channel_receive, channel_call)
    u64 handle_capacity = 0;
    abi::ChannelCallArguments call{};
};

// A channel or service operation with fields from the pool: handles of any kind or none,
// pointers valid or hostile, sizes at and past the limits, stray transactions.
abi::RingSubmission random_operation(Fuzzer& f, u64 tag, Offered& offered) {
    constexpr u32 opcodes[] = {abi::ring_op::channel_send, abi::ring_op::channel_receive, abi::ring_op::channel_call,
                               abi::ring_op::service_subscribe, abi::ring_op::cancel};
    constexpr const char* names[] = {"kernel.time", "kernel.log", "fuzz.nobody", "Bad Name", ""};
    abi::RingSubmission entry{};
    entry.tag = tag;
    entry.opcode = offered.opcode = f.random().pick(opcodes);
    u64 near = sys::clock_read() + f.random().between(1'000, 2'000'000);
    entry.deadline = f.random().one_in(3) ? abi::deadline_now : near;
    switch (entry.opcode) {
        case abi::ring_op::channel_send:
        case abi::ring_op::channel_receive: {
            bool sends = entry.opcode == abi::ring_op::channel_send;
            entry.handle = f.handle(Kind::channel).value;
            entry.length = f.size(64, abi::max_message_bytes);
            entry.address =
                f.pointer(base::min(entry.length, abi::max_message_bytes), sends ? Access::input : Access::output)
                    .address;
            offered.handle_capacity = f.random().one_in(2) ? 0 : f.size(2, abi::max_message_handles);
            offered.handles = f.pointer(base::min(offered.handle_capacity, abi::max_message_handles) * 4,
                                        sends ? Access::input : Access::output);
            entry.handles = offered.handles.address;
            entry.handle_count = u32(offered.handle_capacity);
            if (sends) {
                entry.deadline = 0;
                entry.transaction = f.random().one_in(2) ? 0 : f.random().next();
                offered.handle_capacity = 0;  // nothing lands there
            }
            break;
        }
        case abi::ring_op::channel_call: {
            entry.handle = f.handle(Kind::channel).value;
            u64 bytes = f.size(32, abi::max_message_bytes), capacity = f.size(64, abi::max_message_bytes);
            offered.handle_capacity = f.size(2, abi::max_message_handles);
            offered.handles =
                f.pointer(base::min(offered.handle_capacity, abi::max_message_handles) * 4, Access::output);
            offered.call = {
                reinterpret_cast<const u8*>(f.pointer(bytes, Access::input).address),
                bytes,
                nullptr,
                0,
                reinterpret_cast<u8*>(f.pointer(base::min(capacity, abi::max_message_bytes), Access::output).address),
                capacity,
                reinterpret_cast<HandleValue*>(offered.handles.address),
                offered.handle_capacity};
            entry.address = f.random().one_in(8) ? f.hostile_pointer(sizeof(offered.call)).address
                                                 : reinterpret_cast<u64>(&offered.call);
            break;
        }
        case abi::ring_op::service_subscribe: {
            const char* name = f.random().pick(names);
            entry.address = reinterpret_cast<u64>(name);
            entry.length = base::string_length(name);
            if (f.random().one_in(4)) entry.address = f.hostile_pointer(8).address;
            if (f.random().one_in(8)) entry.length = f.random().one_in(2) ? abi::max_service_name_bytes + 1 : ~u64(0);
            break;
        }
        default:
            entry.deadline = 0;
            entry.target_tag = f.random().below(operation_entries);
    }
    return entry;
}

}  // namespace

// A ring of its own, a batch of the channel and service operations (docs/async-syscalls.md)
// with pool handles and hostile pointers, the completions checked; closing the ring then cancels
// whatever still waits.
void ring_operations_call(Fuzzer& f) {
    auto made = usertest::TestRing::create(operation_entries);
    if (made.is_error()) return;  // out of memory or handles: other calls say so
    auto& ring = made.value();
    Offered offered[operation_entries];
    u32 count = 1 + u32(f.random().below(operation_entries));
    for (u32 i = 0; i < count; ++i) ring.push(random_operation(f, i, offered[i]));
    auto entered = f.call(Syscall::ring_enter, ring.ring.value(), count, count, sys::clock_read() + 3'000'000);
    if (!entered.is_ok() && entered.error() != Error::TimedOut)
        f.fail("ring_enter with well-formed operations succeeds or times out waiting", rule(Syscall::ring_enter),
               u64(entered.error()), entered.value);
    abi::RingCompletion completion;
    while (ring.pop(completion)) {
        if (completion.tag >= count) {
            f.fail("a completion carries the tag of an operation submitted", rule(Syscall::ring_enter), 0,
                   completion.tag);
            continue;
        }
        const Offered& asked = offered[completion.tag];
        if (completion.status != 0) continue;
        if (asked.opcode == abi::ring_op::service_subscribe) {
            f.adopt(HandleValue(completion.value), Kind::channel);
        } else if (asked.opcode == abi::ring_op::channel_receive || asked.opcode == abi::ring_op::channel_call) {
            u64 received = abi::message_handles_of(completion.value);
            if (received > asked.handle_capacity)
                f.fail("a ring receive delivers no more handles than its buffer holds", rule(Syscall::ring_enter), 0,
                       completion.value);
            else
                f.harvest(asked.handles.address, received);
        }
    }
}

}  // namespace fuzz
