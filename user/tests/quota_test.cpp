// Per-task quotas (object/resource_account.h, docs/security.md): each limit is reached with
// LimitReached, exactly at its documented value, changes nothing, and leaves other tasks working;
// what was charged is given back when the objects go. Needs the boot modules quota_peer and
// spinner.

#include <poplar/channel.h>
#include <poplar/event.h>
#include <poplar/memory_object.h>
#include <poplar/start.h>
#include <poplar/task.h>

#include "object_counts.h"
#include "test.h"

using base::Error;
using poplar::Channel;
using poplar::Handle;
using poplar::HandleValue;
using poplar::Task;
using usertest::counts;
using usertest::settled_counts;
namespace abi = poplar::abi;
namespace sys = poplar::sys;
namespace rights = poplar::abi::rights;

namespace {

constexpr u64 millisecond = 1'000'000;
constexpr u64 kib = 1024, mib = 1024 * 1024;

// The limits as docs/security.md states them.
constexpr u64 max_handles = 1024;
constexpr u64 max_queued_messages = 8192;
constexpr u64 max_queued_bytes = 16 * mib;
constexpr u64 max_memory_objects = 256;
constexpr u64 max_memory_bytes = 64 * mib;
constexpr u64 max_live_children = 32;
constexpr u64 max_mappings = 1024;
constexpr u64 max_mapped_bytes = 1024 * mib;
constexpr u64 max_kernel_jobs = 256;
constexpr u64 bytes_charged_per_handle = 512;
constexpr u64 channel_queue_length = 64;

// A task that waits for a signal, then uses every kind of resource once.
struct Peer {
    Task task;
    poplar::Event go;
};

base::ErrorOr<Peer> start_peer() {
    auto go = TRY(poplar::Event::create());
    Handle for_peer[1] = {TRY(go.duplicate(rights::wait | rights::transfer))};
    auto task = TRY(Task::spawn("quota_peer", base::Span<Handle>(for_peer)));
    return Peer{base::move(task), base::move(go)};
}

// The peer's result, run while this task's quota is used up.
i64 peer_result(Peer& peer) {
    if (peer.go.signal().is_error()) return -1;
    auto status = peer.task.wait(sys::deadline_after(10'000 * millisecond));
    return status.is_ok() ? status.value() : -2;
}

u8 big_message[64 * kib];

// Fills channel queues with messages of `size` bytes until the kernel refuses; returns how many
// went, leaving the channels in `pairs`.
u64 fill_queues(Channel::Pair* pairs, usize pair_count, u64 size, Error& refusal) {
    u64 sent = 0;
    for (usize i = 0; i < pair_count; ++i)
        for (u64 j = 0; j < channel_queue_length; ++j) {
            auto result = pairs[i].first.send(base::ReadonlyBytes(big_message, size));
            if (result.is_error()) {
                refusal = result.error();
                return sent;
            }
            ++sent;
        }
    refusal = Error::Internal;  // nothing refused
    return sent;
}

Channel::Pair pairs[max_queued_messages / channel_queue_length + 1];

}  // namespace

USER_TEST(handles_stop_at_the_limit_and_others_keep_working) {
    auto before = counts();
    auto peer = ASSERT_OK(start_peer());
    static HandleValue held[max_handles];
    usize count = 0;
    for (;;) {
        auto event = sys::event_create();
        if (event.is_error()) {
            EXPECT_EQ(event.error(), Error::LimitReached);
            break;
        }
        held[count++] = event.value();
    }
    // The table holds its limit, counting the handles this task had already.
    EXPECT(count > max_handles - 16 && count < max_handles);
    // Narrowing a handle needs no room: it works in a full table.
    HandleValue narrowed = ASSERT_OK(sys::handle_replace(held[0], rights::wait));
    EXPECT_ERROR(sys::handle_info(held[0]), Error::BadHandle);
    held[0] = narrowed;
    // Debug work on the kernel's own account is refused to an ordinary run.
    EXPECT_ERROR(sys::debug_kernel_work(1, abi::work_account::kernel), Error::AccessDenied);
    EXPECT_ERROR(sys::debug_kernel_work(0, abi::work_account::kernel), Error::AccessDenied);
    EXPECT_EQ(peer_result(peer), 0);
    for (usize i = 0; i < count; ++i) EXPECT_OK(sys::handle_close(held[i]));
    peer = {};
    EXPECT_COUNTS_EQ(settled_counts(before), before);
}

USER_TEST(queued_messages_stop_at_the_limit_and_others_keep_working) {
    auto before = counts();
    auto peer = ASSERT_OK(start_peer());
    for (auto& pair : pairs) pair = ASSERT_OK(Channel::create());
    Error refusal;
    u64 sent = fill_queues(pairs, sizeof(pairs) / sizeof(pairs[0]), 1, refusal);
    EXPECT_EQ(sent, max_queued_messages);
    EXPECT_EQ(refusal, Error::LimitReached);
    EXPECT_EQ(peer_result(peer), 0);
    // A received message gives its charge back.
    u8 byte;
    EXPECT_OK(pairs[0].second.receive(base::Bytes(&byte, 1), {}, abi::deadline_now));
    EXPECT_OK(pairs[sizeof(pairs) / sizeof(pairs[0]) - 1].first.send(base::ReadonlyBytes(&byte, 1)));
    for (auto& pair : pairs) pair = {};
    peer = {};
    EXPECT_COUNTS_EQ(settled_counts(before), before);
}

USER_TEST(queued_bytes_stop_at_the_limit) {
    for (usize i = 0; i < 5; ++i) pairs[i] = ASSERT_OK(Channel::create());
    Error refusal;
    u64 sent = fill_queues(pairs, 5, sizeof(big_message), refusal);
    EXPECT_EQ(sent, max_queued_bytes / sizeof(big_message));
    EXPECT_EQ(refusal, Error::LimitReached);
    for (auto& pair : pairs) pair = {};
    // All of it was given back when the channels closed.
    pairs[0] = ASSERT_OK(Channel::create());
    EXPECT_EQ(fill_queues(pairs, 1, sizeof(big_message), refusal), channel_queue_length);
    pairs[0] = {};
}

// A handle in flight keeps an object alive: each counts as 512 bytes against the sender.
USER_TEST(handles_in_flight_count_against_the_bytes_quota) {
    for (usize i = 0; i < 9; ++i) pairs[i] = ASSERT_OK(Channel::create());
    auto event = ASSERT_OK(poplar::Event::create());
    u64 sent = 0;
    Error refusal = Error::Internal;
    for (usize i = 0; i < 9 && refusal == Error::Internal; ++i) {
        for (u64 j = 0; j < channel_queue_length; ++j) {
            HandleValue copies[abi::max_message_handles];
            for (auto& copy : copies)
                copy = ASSERT_OK(sys::handle_duplicate(event.value(), rights::wait | rights::transfer));
            u8 byte = 0;
            auto result = sys::channel_send(pairs[i].first.value(), &byte, 1, copies, abi::max_message_handles);
            if (result.is_error()) {
                refusal = result.error();
                for (auto copy : copies) EXPECT_OK(sys::handle_close(copy));  // still ours
                break;
            }
            ++sent;
        }
    }
    EXPECT_EQ(refusal, Error::LimitReached);
    EXPECT_EQ(sent, max_queued_bytes / (1 + abi::max_message_handles * bytes_charged_per_handle));
    for (auto& pair : pairs) pair = {};
}

USER_TEST(memory_objects_stop_at_the_limit_and_others_keep_working) {
    auto before = counts();
    auto peer = ASSERT_OK(start_peer());
    static poplar::MemoryObject objects[max_memory_objects + 1];
    usize count = 0;
    for (;; ++count) {
        auto object = poplar::MemoryObject::create(abi::page_size);
        if (object.is_error()) {
            EXPECT_EQ(object.error(), Error::LimitReached);
            break;
        }
        objects[count] = object.release_value();
    }
    EXPECT_EQ(count, max_memory_objects);
    EXPECT_EQ(peer_result(peer), 0);
    for (auto& object : objects) object = {};
    // Bytes: one object of the whole allowance, then not a page more.
    {
        auto whole = ASSERT_OK(poplar::MemoryObject::create(max_memory_bytes));
        EXPECT_ERROR(poplar::MemoryObject::create(abi::page_size), Error::LimitReached);
    }
    EXPECT_OK(poplar::MemoryObject::create(abi::page_size));
    peer = {};
    EXPECT_COUNTS_EQ(settled_counts(before), before);
}

USER_TEST(mappings_stop_at_the_limit) {
    auto page = ASSERT_OK(poplar::MemoryObject::create(abi::page_size));
    static u64 addresses[max_mappings];
    usize count = 0;
    for (;;) {
        auto address = sys::memory_object_map(page.value(), 0, abi::memory_flags::writable);
        if (address.is_error()) {
            EXPECT_EQ(address.error(), Error::LimitReached);
            break;
        }
        addresses[count++] = address.value();
    }
    // The program's own image and stack are mappings too.
    EXPECT(count > max_mappings - 16 && count < max_mappings);
    for (usize i = 0; i < count; ++i) EXPECT_OK(sys::memory_unmap(addresses[i], abi::page_size));
    // Bytes: a large object mapped again and again, up to the limit.
    auto large = ASSERT_OK(poplar::MemoryObject::create(32 * mib));
    count = 0;
    for (;;) {
        auto address = sys::memory_object_map(large.value(), 0, abi::memory_flags::writable);
        if (address.is_error()) {
            EXPECT_EQ(address.error(), Error::LimitReached);
            break;
        }
        addresses[count++] = address.value();
    }
    EXPECT(count * 32 * mib <= max_mapped_bytes && (count + 1) * 32 * mib > max_mapped_bytes - mib);
    for (usize i = 0; i < count; ++i) EXPECT_OK(sys::memory_unmap(addresses[i], 32 * mib));
    EXPECT_OK(large.map());
}

USER_TEST(live_children_stop_at_the_limit_and_others_keep_working) {
    auto before = counts();
    auto peer = ASSERT_OK(start_peer());  // one child already
    static Task children[max_live_children];
    usize count = 1;
    for (;;) {
        auto child = Task::spawn("spinner");
        if (child.is_error()) {
            EXPECT_EQ(child.error(), Error::LimitReached);
            break;
        }
        children[count++] = child.release_value();
    }
    EXPECT_EQ(count, max_live_children);
    EXPECT_EQ(peer_result(peer), 0);
    // The peer has ended: one more child may start.
    auto one_more = ASSERT_OK(Task::spawn("spinner"));
    EXPECT_OK(one_more.kill());
    EXPECT_OK(one_more.wait(sys::deadline_after(5000 * millisecond)));
    for (usize i = 1; i < count; ++i) {
        EXPECT_OK(children[i].kill());
        EXPECT_OK(children[i].wait(sys::deadline_after(5000 * millisecond)));
        children[i] = {};
    }
    peer = {};
    one_more = {};
    EXPECT_COUNTS_EQ(settled_counts(before), before);
}

USER_TEST(kernel_work_stops_at_the_limit_and_others_keep_working) {
    auto peer = ASSERT_OK(start_peer());
    u64 accepted = 0;
    for (;;) {
        auto result = sys::debug_kernel_work(100000, abi::work_account::caller);
        if (result.is_error()) {
            EXPECT_EQ(result.error(), Error::LimitReached);
            break;
        }
        ++accepted;
    }
    EXPECT_EQ(accepted, max_kernel_jobs);
    EXPECT_EQ(peer_result(peer), 0);
    EXPECT_OK(sys::debug_kernel_work(0, abi::work_account::caller));  // cancels them all
}

int main(const abi::StartInfo&) { return usertest::run_all_tests("quota_test"); }
