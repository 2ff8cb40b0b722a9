// Every system call of lib/poplar/abi/syscalls.h, with good input and with bad input, checked
// against docs/syscalls.md: each failure must give its documented error and change nothing.
// Task calls are exercised with bad input here and with real children in spawn_test.

#include <poplar/channel.h>
#include <poplar/event.h>
#include <poplar/memory_object.h>
#include <poplar/start.h>
#include <poplar/task.h>

#include "object_counts.h"
#include "test.h"

using base::Error;
using poplar::HandleValue;
using usertest::counts;
namespace abi = poplar::abi;
namespace sys = poplar::sys;
namespace rights = poplar::abi::rights;
namespace signals = poplar::abi::signals;
using sys::arg;
using sys::Syscall;

namespace {

constexpr u64 millisecond = 1'000'000;
constexpr u64 kernel_address = 0xffffffff80000000;
constexpr u64 direct_map_address = 0xffff800000000000;
constexpr u64 non_canonical_address = 0x0000800000000000;
constexpr u64 below_user_space = 0x1000;
constexpr u64 page = abi::page_size;

// Read-only data and code, for output pointers that must be refused.
alignas(16) const u8 readonly_data[256] = {1, 2, 3, 4};
[[gnu::noinline]] void some_code() { asm volatile(""); }
u64 text_address() { return reinterpret_cast<uptr>(&some_code); }
u64 rodata_address() { return reinterpret_cast<uptr>(readonly_data); }

// A mapped page followed by an unmapped one, made once in main before any test runs.
u64 page_before_hole = 0;

u64 hole() { return page_before_hole + page; }
// A pointer to `length` bytes that starts in the mapped page and runs into the hole.
u64 straddling_hole(u64 length) { return page_before_hole + page - length / 2; }
// A pointer to `length` bytes running past the end of user space.
u64 straddling_user_end(u64 length) { return abi::user_space_end - length / 2; }

bool make_page_before_hole() {
    auto two = sys::memory_object_create(2 * page, abi::memory_flags::writable);
    if (two.is_error()) return false;
    auto address = sys::memory_object_map(two.value(), 0, abi::memory_flags::writable);
    (void)sys::handle_close(two.value());
    if (address.is_error() || sys::memory_unmap(address.value(), 2 * page).is_error()) return false;
    auto one = sys::memory_object_create(page, abi::memory_flags::writable);
    if (one.is_error()) return false;
    auto mapped = sys::memory_object_map(one.value(), address.value(), abi::memory_flags::writable);
    (void)sys::handle_close(one.value());
    if (mapped.is_error() || mapped.value() != address.value()) return false;
    page_before_hole = address.value();
    return true;
}

// Output pointers every call must refuse with BadAddress. Input pointers: the same minus the
// read-only ones (which are fine to read).
struct BadPointer {
    const char* what;
    u64 address;
    bool readable;  // readable by the caller, so fine as an input
};

BadPointer bad_pointers(usize index, u64 length) {
    switch (index) {
        case 0:
            return {"null", 0, false};
        case 1:
            return {"below user space", below_user_space, false};
        case 2:
            return {"kernel image", kernel_address, false};
        case 3:
            return {"direct map", direct_map_address, false};
        case 4:
            return {"non-canonical", non_canonical_address, false};
        case 5:
            return {"unmapped", hole(), false};
        case 6:
            return {"straddles a mapping's end", straddling_hole(length), false};
        case 7:
            return {"straddles user space's end", straddling_user_end(length), false};
        case 8:
            return {"top of the address space", ~u64(0) - 7, false};
        case 9:
            return {".rodata", rodata_address(), true};
        default:
            return {".text", text_address(), true};
    }
}
constexpr usize bad_pointer_count = 11;

#define FOR_EACH_BAD_OUTPUT(length, pointer)                     \
    for (usize _index = 0; _index < bad_pointer_count; ++_index) \
        if (auto pointer = bad_pointers(_index, length); true)

#define FOR_EACH_BAD_INPUT(length, pointer) \
    FOR_EACH_BAD_OUTPUT(length, pointer)    \
    if (!pointer.readable)

void report_pointer(const BadPointer& pointer) { poplar::println("  (with the {} pointer)", pointer.what); }

bool is_valid(HandleValue handle) { return sys::handle_info(handle).is_ok(); }

// True if `channel` has no message waiting.
bool is_empty(HandleValue channel) {
    u8 byte;
    HandleValue handle;
    auto result = sys::channel_receive(channel, &byte, 1, &handle, 1, abi::deadline_now);
    return result.is_error() && result.error() == Error::ShouldWait;
}

// Handle values that name nothing.
constexpr HandleValue garbage_handles[] = {0, 0xffffffff, 0xdeadbeef, 0x7fffffff, 0x00010001};

u8 big_buffer[abi::max_message_bytes + 1];
u8 big_receive_buffer[abi::max_message_bytes + 1];
HandleValue many_handles[abi::max_message_handles + 1];
HandleValue table_fill[1100];

// ---------------------------------------------------------------------------------------------
// Calling convention

USER_TEST(unknown_numbers_give_not_supported) {
    const u64 numbers[] = {5, 9, 14, 19, 29, 39, 49, 59, 99, 1000, 1ull << 32, ~u64(0)};
    for (u64 number : numbers) {
        auto result = sys::raw(number);
        if (result.status != static_cast<u64>(Error::NotSupported)) poplar::println("  (number {})", number);
        EXPECT_ERROR(result.result(), Error::NotSupported);
    }
}

USER_TEST(registers_are_preserved_across_a_call) {
    // Every register but rax, rdx, rcx and r11 (and the SSE state) must survive a call.
    u64 out[12] = {};
    register u64* pointer asm("r15") = out;
    asm volatile(
        "movq $0x1111111111111111, %%rbx\n\t"
        "movq $0x2222222222222222, %%r12\n\t"
        "movq $0x3333333333333333, %%r13\n\t"
        "movq $0x4444444444444444, %%r14\n\t"
        "movq $0x5555555555555555, %%rdi\n\t"
        "movq $0x6666666666666666, %%rsi\n\t"
        "movq $0x7777777777777777, %%r8\n\t"
        "movq $0x8888888888888888, %%r9\n\t"
        "movq $0x9999999999999999, %%r10\n\t"
        "movq %%rbx, %%xmm0\n\t"
        "movq %%r12, %%xmm8\n\t"
        "movq %%r13, %%xmm15\n\t"
        "movq $4, %%rax\n\t"  // clock_read
        "syscall\n\t"
        "movq %%rbx, 0(%%r15)\n\t"
        "movq %%r12, 8(%%r15)\n\t"
        "movq %%r13, 16(%%r15)\n\t"
        "movq %%r14, 24(%%r15)\n\t"
        "movq %%rdi, 32(%%r15)\n\t"
        "movq %%rsi, 40(%%r15)\n\t"
        "movq %%r8, 48(%%r15)\n\t"
        "movq %%r9, 56(%%r15)\n\t"
        "movq %%r10, 64(%%r15)\n\t"
        "movq %%xmm0, 72(%%r15)\n\t"
        "movq %%xmm8, 80(%%r15)\n\t"
        "movq %%xmm15, 88(%%r15)\n\t"
        : "+r"(pointer)
        :
        : "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "xmm0", "xmm8",
          "xmm15", "memory");
    EXPECT_EQ(out[0], 0x1111111111111111ull);
    EXPECT_EQ(out[1], 0x2222222222222222ull);
    EXPECT_EQ(out[2], 0x3333333333333333ull);
    EXPECT_EQ(out[3], 0x4444444444444444ull);
    EXPECT_EQ(out[4], 0x5555555555555555ull);
    EXPECT_EQ(out[5], 0x6666666666666666ull);
    EXPECT_EQ(out[6], 0x7777777777777777ull);
    EXPECT_EQ(out[7], 0x8888888888888888ull);
    EXPECT_EQ(out[8], 0x9999999999999999ull);
    EXPECT_EQ(out[9], 0x1111111111111111ull);
    EXPECT_EQ(out[10], 0x2222222222222222ull);
    EXPECT_EQ(out[11], 0x3333333333333333ull);
}

// ---------------------------------------------------------------------------------------------
// debug_log, yield, sleep, clock_read

USER_TEST(debug_log_takes_text_up_to_its_limit) {
    const char text[] = "syscall_test: debug_log works";
    EXPECT_OK(sys::debug_log(text, sizeof(text) - 1));
    EXPECT_OK(sys::debug_log(text, 0));
    for (usize i = 0; i < abi::max_log_bytes; ++i) big_buffer[i] = "0123456789abcdef"[i % 16];
    const char* long_text = reinterpret_cast<const char*>(big_buffer);
    EXPECT_OK(sys::debug_log(long_text, abi::max_log_bytes));
    EXPECT_ERROR(sys::debug_log(long_text, abi::max_log_bytes + 1), Error::InvalidArgument);
    EXPECT_ERROR(sys::debug_log(long_text, ~u64(0)), Error::InvalidArgument);
}

USER_TEST(debug_log_refuses_bad_pointers) {
    FOR_EACH_BAD_INPUT(16, pointer) {
        auto result = sys::raw(Syscall::debug_log, pointer.address, 16);
        if (result.status != static_cast<u64>(Error::BadAddress)) report_pointer(pointer);
        EXPECT_ERROR(result.result(), Error::BadAddress);
    }
}

USER_TEST(yield_returns) {
    for (int i = 0; i < 10; ++i) EXPECT_OK(sys::yield());
}

USER_TEST(clock_is_monotonic) {
    u64 previous = sys::clock_read();
    EXPECT(previous > 0);
    for (int i = 0; i < 1000; ++i) {
        u64 now = sys::clock_read();
        EXPECT(now >= previous);
        previous = now;
    }
}

USER_TEST(sleep_sleeps_at_least_until_the_deadline) {
    u64 start = sys::clock_read();
    EXPECT_OK(sys::sleep(start + 20 * millisecond));
    u64 elapsed = sys::clock_read() - start;
    EXPECT(elapsed >= 20 * millisecond);
    EXPECT(elapsed < 2000 * millisecond);

    // A deadline in the past: nothing to wait for.
    start = sys::clock_read();
    EXPECT_OK(sys::sleep(abi::deadline_now));
    EXPECT_OK(sys::sleep(start - 1));
    EXPECT(sys::clock_read() - start < 1000 * millisecond);
}

// ---------------------------------------------------------------------------------------------
// Handles

USER_TEST(garbage_handle_values_give_bad_handle) {
    u8 byte = 0;
    for (HandleValue value : garbage_handles) {
        EXPECT_ERROR(sys::handle_close(value), Error::BadHandle);
        EXPECT_ERROR(sys::handle_duplicate(value, rights::wait), Error::BadHandle);
        EXPECT_ERROR(sys::handle_info(value), Error::BadHandle);
        EXPECT_ERROR(sys::memory_object_map(value, 0, 0), Error::BadHandle);
        EXPECT_ERROR(sys::channel_send(value, &byte, 1, nullptr, 0), Error::BadHandle);
        EXPECT_ERROR(sys::channel_receive(value, &byte, 1, nullptr, 0, abi::deadline_now), Error::BadHandle);
        EXPECT_ERROR(sys::event_signal(value), Error::BadHandle);
        EXPECT_ERROR(sys::event_clear(value), Error::BadHandle);
        EXPECT_ERROR(sys::wait_one(value, signals::signaled, abi::deadline_now), Error::BadHandle);
        EXPECT_ERROR(sys::task_kill(value), Error::BadHandle);
        EXPECT_ERROR(sys::task_wait(value, abi::deadline_now), Error::BadHandle);
        if (value != abi::invalid_handle) EXPECT_ERROR(sys::task_cpu_time(value), Error::BadHandle);
    }
}

USER_TEST(closed_handles_give_bad_handle) {
    HandleValue event = ASSERT_OK(sys::event_create());
    EXPECT_OK(sys::handle_close(event));
    EXPECT_ERROR(sys::handle_close(event), Error::BadHandle);
    EXPECT_ERROR(sys::event_signal(event), Error::BadHandle);
    EXPECT_ERROR(sys::handle_info(event), Error::BadHandle);
}

USER_TEST(stale_generations_give_bad_handle) {
    // Closing and creating again reuses slots; a value from an earlier generation must never
    // name the new object.
    constexpr usize rounds = 200;
    HandleValue closed[rounds];
    for (usize i = 0; i < rounds; ++i) {
        closed[i] = ASSERT_OK(sys::event_create());
        EXPECT_OK(sys::handle_close(closed[i]));
    }
    HandleValue live = ASSERT_OK(sys::event_create());
    for (usize i = 0; i < rounds; ++i) {
        EXPECT(closed[i] != live);
        for (usize j = 0; j < i; ++j)
            if (closed[j] == closed[i]) EXPECT(closed[j] != closed[i]);
        EXPECT_ERROR(sys::event_signal(closed[i]), Error::BadHandle);
    }
    EXPECT_OK(sys::event_signal(live));
    EXPECT_OK(sys::handle_close(live));
}

USER_TEST(handles_of_the_wrong_type_give_wrong_type) {
    auto event = ASSERT_OK(poplar::Event::create());
    auto pair = ASSERT_OK(poplar::Channel::create());
    auto memory = ASSERT_OK(poplar::MemoryObject::create(page));
    u8 byte = 0;
    abi::ChannelCallArguments call{};
    EXPECT_ERROR(sys::channel_send(event.value(), &byte, 1, nullptr, 0), Error::WrongType);
    EXPECT_ERROR(sys::channel_receive(event.value(), &byte, 1, nullptr, 0, abi::deadline_now), Error::WrongType);
    EXPECT_ERROR(sys::channel_call(event.value(), call, abi::deadline_now), Error::WrongType);
    EXPECT_ERROR(sys::event_signal(pair.first.value()), Error::WrongType);
    EXPECT_ERROR(sys::event_clear(memory.value()), Error::WrongType);
    EXPECT_ERROR(sys::memory_object_map(event.value(), 0, 0), Error::WrongType);
    EXPECT_ERROR(sys::task_kill(event.value()), Error::WrongType);
    EXPECT_ERROR(sys::task_wait(pair.first.value(), abi::deadline_now), Error::WrongType);
    EXPECT_ERROR(sys::task_cpu_time(memory.value()), Error::WrongType);
    EXPECT(is_empty(pair.second.value()));
}

USER_TEST(handle_info_reports_type_rights_and_identity) {
    auto event = ASSERT_OK(poplar::Event::create());
    auto other = ASSERT_OK(poplar::Event::create());
    auto pair = ASSERT_OK(poplar::Channel::create());
    auto memory = ASSERT_OK(poplar::MemoryObject::create(page));

    auto event_info = ASSERT_OK(event.info());
    EXPECT_EQ(event_info.object_type, poplar::ObjectType::Event);
    u32 event_rights = rights::duplicate | rights::transfer | rights::signal | rights::wait;
    EXPECT_EQ(event_info.rights & event_rights, event_rights);
    EXPECT(ASSERT_OK(other.info()).object_id != event_info.object_id);

    auto channel_info = ASSERT_OK(pair.first.info());
    EXPECT_EQ(channel_info.object_type, poplar::ObjectType::Channel);
    u32 channel_rights = rights::transfer | rights::send | rights::receive | rights::wait;
    EXPECT_EQ(channel_info.rights & channel_rights, channel_rights);
    EXPECT_EQ(channel_info.rights & rights::duplicate, 0u);  // an end has one handle

    auto memory_info = ASSERT_OK(memory.info());
    EXPECT_EQ(memory_info.object_type, poplar::ObjectType::MemoryObject);
    u32 memory_rights = rights::duplicate | rights::transfer | rights::map;
    EXPECT_EQ(memory_info.rights & memory_rights, memory_rights);

    // Unaligned output is fine: the kernel copies bytes.
    alignas(16) u8 buffer[sizeof(abi::HandleInfo) + 1];
    EXPECT_EQ(sys::raw(Syscall::handle_info, event.value(), arg(buffer + 1)).status, 0ull);
}

USER_TEST(handle_info_refuses_bad_output) {
    auto event = ASSERT_OK(poplar::Event::create());
    FOR_EACH_BAD_OUTPUT(sizeof(abi::HandleInfo), pointer) {
        auto result = sys::raw(Syscall::handle_info, event.value(), pointer.address);
        if (result.status != static_cast<u64>(Error::BadAddress)) report_pointer(pointer);
        EXPECT_ERROR(result.result(), Error::BadAddress);
    }
    EXPECT(is_valid(event.value()));
}

USER_TEST(handle_duplicate_only_drops_rights) {
    auto event = ASSERT_OK(poplar::Event::create());
    auto full = ASSERT_OK(event.info());

    auto copy = ASSERT_OK(event.duplicate(full.rights));
    EXPECT(copy.value() != event.value());
    EXPECT_EQ(ASSERT_OK(copy.info()).object_id, full.object_id);
    EXPECT_EQ(ASSERT_OK(copy.info()).rights, full.rights);

    auto waiter = ASSERT_OK(event.duplicate(rights::wait | rights::duplicate));
    auto waiter_info = ASSERT_OK(waiter.info());
    EXPECT_EQ(waiter_info.rights, rights::wait | rights::duplicate);
    EXPECT_EQ(waiter_info.object_id, full.object_id);
    EXPECT_ERROR(sys::event_signal(waiter.value()), Error::AccessDenied);
    EXPECT_ERROR(sys::event_clear(waiter.value()), Error::AccessDenied);
    EXPECT_ERROR(sys::handle_duplicate(waiter.value(), rights::signal), Error::InvalidArgument);
    EXPECT_ERROR(sys::handle_duplicate(waiter.value(), rights::wait | (1u << 20)), Error::InvalidArgument);
    EXPECT_ERROR(sys::handle_duplicate(waiter.value(), ~u32(0)), Error::InvalidArgument);

    // The original keeps all its rights, and a signal through it is seen through the copy.
    EXPECT_OK(event.signal());
    EXPECT_OK(sys::wait_one(waiter.value(), signals::signaled, abi::deadline_now));

    // No rights at all: only handle_info and handle_close still work.
    auto bare = ASSERT_OK(waiter.duplicate(0));
    EXPECT_EQ(ASSERT_OK(bare.info()).rights, 0u);
    EXPECT_ERROR(sys::handle_duplicate(bare.value(), 0), Error::AccessDenied);
    EXPECT_ERROR(sys::wait_one(bare.value(), signals::signaled, abi::deadline_now), Error::AccessDenied);
    EXPECT_OK(sys::handle_close(bare.release()));
}

USER_TEST(handle_table_holds_at_most_1024) {
    auto before = counts();
    usize created = 0;
    base::ErrorOr<HandleValue> last = Error::Internal;
    while (created < sizeof(table_fill) / sizeof(table_fill[0])) {
        last = sys::event_create();
        if (last.is_error()) break;
        table_fill[created++] = last.value();
    }
    EXPECT_ERROR(last, Error::LimitReached);
    EXPECT(created <= 1024);
    EXPECT(created >= 1000);
    if (created > 0) {
        EXPECT_ERROR(sys::handle_duplicate(table_fill[0], rights::wait), Error::LimitReached);
        // Leave one free slot: a channel needs two, and must not half-succeed.
        EXPECT_OK(sys::handle_close(table_fill[--created]));
        auto channels_before = counts().channels;
        EXPECT_ERROR(sys::channel_create(), Error::LimitReached);
        EXPECT_EQ(counts().channels, channels_before);
        HandleValue one_more = ASSERT_OK(sys::event_create());
        EXPECT_OK(sys::handle_close(one_more));
    }
    for (usize i = 0; i < created; ++i) EXPECT_OK(sys::handle_close(table_fill[i]));
    auto after = counts();
    EXPECT_COUNTS_EQ(after, before);
}

// ---------------------------------------------------------------------------------------------
// Memory objects

USER_TEST(memory_object_create_checks_size_and_flags) {
    auto before = counts();
    EXPECT_ERROR(sys::memory_object_create(0, 0), Error::InvalidArgument);
    EXPECT_ERROR(sys::memory_object_create((u64(1) << 30) + 1, 0), Error::InvalidArgument);
    EXPECT_ERROR(sys::memory_object_create(~u64(0), 0), Error::InvalidArgument);
    EXPECT_ERROR(sys::memory_object_create(page, 1u << 7), Error::InvalidArgument);
    auto after_failures = counts();
    EXPECT_COUNTS_EQ(after_failures, before);

    HandleValue small = ASSERT_OK(sys::memory_object_create(1, abi::memory_flags::writable));
    EXPECT_EQ(counts().memory_objects, before.memory_objects + 1);
    EXPECT_OK(sys::handle_close(small));
    EXPECT_EQ(counts().memory_objects, before.memory_objects);
}

USER_TEST(memory_maps_are_zeroed_and_writable) {
    auto memory = ASSERT_OK(poplar::MemoryObject::create(3 * page));
    auto mapping = ASSERT_OK(memory.map());
    EXPECT_EQ(mapping.address() % page, 0ull);
    EXPECT(mapping.address() >= abi::user_space_start && mapping.address() + 3 * page <= abi::user_space_end);
    bool zero = true;
    for (u64 i = 0; i < 3 * page; ++i) zero = zero && mapping.data()[i] == 0;
    EXPECT(zero);
    for (u64 i = 0; i < 3 * page; ++i) mapping.data()[i] = static_cast<u8>(i * 7);
    bool kept = true;
    for (u64 i = 0; i < 3 * page; ++i) kept = kept && mapping.data()[i] == static_cast<u8>(i * 7);
    EXPECT(kept);
    // A mapping is readable by the kernel as input.
    EXPECT_OK(sys::debug_log(reinterpret_cast<const char*>(mapping.data()), 0));
}

USER_TEST(two_mappings_share_their_contents) {
    auto memory = ASSERT_OK(poplar::MemoryObject::create(2 * page));
    auto first = ASSERT_OK(memory.map());
    auto second = ASSERT_OK(memory.map());
    EXPECT(first.address() != second.address());
    first.data()[0] = 0x5a;
    first.data()[2 * page - 1] = 0xa5;
    EXPECT_EQ(second.data()[0], 0x5a);
    EXPECT_EQ(second.data()[2 * page - 1], 0xa5);
    second.data()[100] = 42;
    EXPECT_EQ(first.data()[100], 42);
    EXPECT_OK(first.unmap());
    EXPECT_EQ(second.data()[0], 0x5a);
}

USER_TEST(mappings_keep_their_object_alive) {
    auto before = counts();
    HandleValue object = ASSERT_OK(sys::memory_object_create(page, abi::memory_flags::writable));
    u64 address = ASSERT_OK(sys::memory_object_map(object, 0, abi::memory_flags::writable));
    EXPECT_OK(sys::handle_close(object));
    EXPECT_EQ(counts().memory_objects, before.memory_objects + 1);
    *reinterpret_cast<volatile u8*>(address) = 1;
    EXPECT_OK(sys::memory_unmap(address, page));
    EXPECT_EQ(counts().memory_objects, before.memory_objects);
}

USER_TEST(memory_map_checks_flags_and_rights) {
    auto readonly = ASSERT_OK(poplar::MemoryObject::create(page, 0));
    EXPECT_ERROR(readonly.map(abi::memory_flags::writable), Error::AccessDenied);
    EXPECT_ERROR(readonly.map(abi::memory_flags::executable), Error::AccessDenied);
    auto reader = ASSERT_OK(readonly.map(0));
    EXPECT_EQ(reader.data()[0], 0);

    auto memory = ASSERT_OK(poplar::MemoryObject::create(page));
    EXPECT_ERROR(memory.map(abi::memory_flags::executable), Error::AccessDenied);
    EXPECT_ERROR(sys::memory_object_map(memory.value(), 0, 1u << 5), Error::InvalidArgument);
    auto no_map = ASSERT_OK(memory.duplicate(rights::duplicate | rights::transfer));
    EXPECT_ERROR(sys::memory_object_map(no_map.value(), 0, 0), Error::AccessDenied);
}

USER_TEST(memory_map_checks_the_address) {
    auto memory = ASSERT_OK(poplar::MemoryObject::create(2 * page));
    // A free range: map where the kernel chooses, then unmap.
    u64 free_address = ASSERT_OK(sys::memory_object_map(memory.value(), 0, abi::memory_flags::writable));
    EXPECT_OK(sys::memory_unmap(free_address, 2 * page));

    EXPECT_ERROR(sys::memory_object_map(memory.value(), free_address + 1, 0), Error::InvalidArgument);
    EXPECT_ERROR(sys::memory_object_map(memory.value(), free_address + page / 2, 0), Error::InvalidArgument);
    // Outside user space: the docs allow reading this as a bad pointer or a bad argument.
    const u64 outside[] = {below_user_space,           kernel_address,      direct_map_address,   non_canonical_address,
                           abi::user_space_end - page, abi::user_space_end, ~u64(0) & ~(page - 1)};
    for (u64 address : outside)
        EXPECT_EITHER_ERROR(sys::memory_object_map(memory.value(), address, 0), Error::BadAddress,
                            Error::InvalidArgument);

    u64 fixed = ASSERT_OK(sys::memory_object_map(memory.value(), free_address, abi::memory_flags::writable));
    EXPECT_EQ(fixed, free_address);
    EXPECT_ERROR(sys::memory_object_map(memory.value(), free_address, 0), Error::AlreadyExists);
    EXPECT_ERROR(sys::memory_object_map(memory.value(), free_address + page, 0), Error::AlreadyExists);
    // The program's own image is taken too.
    EXPECT_ERROR(sys::memory_object_map(memory.value(), 0x400000, 0), Error::AlreadyExists);
    EXPECT_OK(sys::memory_unmap(fixed, 2 * page));
}

USER_TEST(memory_unmap_takes_exactly_one_mapping) {
    auto memory = ASSERT_OK(poplar::MemoryObject::create(2 * page));
    u64 address = ASSERT_OK(sys::memory_object_map(memory.value(), 0, abi::memory_flags::writable));
    EXPECT_EITHER_ERROR(sys::memory_unmap(address + 1, 2 * page), Error::InvalidArgument, Error::NotFound);
    EXPECT_EITHER_ERROR(sys::memory_unmap(address, page), Error::NotFound, Error::InvalidArgument);
    EXPECT_EITHER_ERROR(sys::memory_unmap(address, 3 * page), Error::NotFound, Error::InvalidArgument);
    EXPECT_ERROR(sys::memory_unmap(address + page, page), Error::NotFound);
    // Still mapped after the failures.
    *reinterpret_cast<volatile u8*>(address + page) = 1;
    EXPECT_OK(sys::memory_unmap(address, 2 * page));
    EXPECT_ERROR(sys::memory_unmap(address, 2 * page), Error::NotFound);
    EXPECT_ERROR(sys::memory_unmap(hole(), page), Error::NotFound);
}

// ---------------------------------------------------------------------------------------------
// Channels

USER_TEST(channel_create_refuses_bad_output) {
    auto before = counts();
    FOR_EACH_BAD_OUTPUT(2 * sizeof(HandleValue), pointer) {
        auto result = sys::raw(Syscall::channel_create, pointer.address);
        if (result.status != static_cast<u64>(Error::BadAddress)) report_pointer(pointer);
        EXPECT_ERROR(result.result(), Error::BadAddress);
    }
    auto after = counts();
    EXPECT_COUNTS_EQ(after, before);
}

USER_TEST(channel_round_trip) {
    auto pair = ASSERT_OK(poplar::Channel::create());
    EXPECT(pair.first.value() != pair.second.value());
    EXPECT_ERROR(sys::wait_one(pair.second.value(), signals::readable, abi::deadline_now), Error::ShouldWait);
    u32 observed = ASSERT_OK(sys::wait_one(pair.first.value(), signals::writable, abi::deadline_now));
    EXPECT(observed & signals::writable);

    const u8 message[] = {'h', 'e', 'l', 'l', 'o'};
    EXPECT_OK(pair.first.send(base::ReadonlyBytes(message)));
    observed = ASSERT_OK(sys::wait_one(pair.second.value(), signals::readable, abi::deadline_now));
    EXPECT(observed & signals::readable);

    u8 buffer[16] = {};
    auto sizes = ASSERT_OK(pair.second.receive(base::Bytes(buffer), {}, abi::deadline_now));
    EXPECT_EQ(sizes.bytes, 5ull);
    EXPECT_EQ(sizes.handles, 0ull);
    EXPECT_EQ(__builtin_memcmp(buffer, message, 5), 0);
    EXPECT_ERROR(sys::wait_one(pair.second.value(), signals::readable, abi::deadline_now), Error::ShouldWait);

    // Empty messages are messages.
    EXPECT_OK(sys::channel_send(pair.second.value(), buffer, 0, nullptr, 0));
    sizes = ASSERT_OK(pair.first.receive(base::Bytes(buffer), {}, abi::deadline_now));
    EXPECT_EQ(sizes.bytes, 0ull);
}

USER_TEST(channel_keeps_message_order) {
    auto pair = ASSERT_OK(poplar::Channel::create());
    for (u32 i = 0; i < 64; ++i) EXPECT_OK(sys::channel_send(pair.first.value(), &i, sizeof(i), nullptr, 0));
    for (u32 i = 0; i < 64; ++i) {
        u32 value = ~0u;
        auto sizes =
            ASSERT_OK(sys::channel_receive(pair.second.value(), &value, sizeof(value), nullptr, 0, abi::deadline_now));
        EXPECT_EQ(sizes.bytes, 4ull);
        EXPECT_EQ(value, i);
    }
    EXPECT(is_empty(pair.second.value()));
}

USER_TEST(channel_queue_holds_64_messages) {
    auto pair = ASSERT_OK(poplar::Channel::create());
    u32 sent = 0;
    for (; sent < 100; ++sent) {
        auto result = sys::channel_send(pair.first.value(), &sent, sizeof(sent), nullptr, 0);
        if (result.is_error()) {
            EXPECT_EQ(result.error(), Error::ShouldWait);
            break;
        }
    }
    EXPECT_EQ(sent, 64u);
    EXPECT_ERROR(sys::wait_one(pair.first.value(), signals::writable, abi::deadline_now), Error::ShouldWait);

    // A handle offered with the refused message stays with the sender.
    HandleValue event = ASSERT_OK(sys::event_create());
    EXPECT_ERROR(sys::channel_send(pair.first.value(), &sent, sizeof(sent), &event, 1), Error::ShouldWait);
    EXPECT(is_valid(event));

    u32 value = ~0u;
    EXPECT_OK(sys::channel_receive(pair.second.value(), &value, sizeof(value), nullptr, 0, abi::deadline_now));
    EXPECT_EQ(value, 0u);
    EXPECT_OK(sys::wait_one(pair.first.value(), signals::writable, abi::deadline_now));
    EXPECT_OK(sys::channel_send(pair.first.value(), &sent, sizeof(sent), &event, 1));
    EXPECT(!is_valid(event));
    for (u32 i = 1; i <= 64; ++i) {
        HandleValue received = abi::invalid_handle;
        auto sizes = ASSERT_OK(
            sys::channel_receive(pair.second.value(), &value, sizeof(value), &received, 1, abi::deadline_now));
        EXPECT_EQ(value, i);
        if (i == 64) {
            EXPECT_EQ(sizes.handles, 1ull);
            EXPECT_OK(sys::handle_close(received));
        }
    }
}

USER_TEST(channel_messages_up_to_64_kib_and_64_handles) {
    auto before = counts();
    auto pair = ASSERT_OK(poplar::Channel::create());
    for (usize i = 0; i < sizeof(big_buffer); ++i) big_buffer[i] = static_cast<u8>(i * 13 + 1);
    EXPECT_OK(sys::channel_send(pair.first.value(), big_buffer, abi::max_message_bytes, nullptr, 0));
    EXPECT_ERROR(sys::channel_send(pair.first.value(), big_buffer, abi::max_message_bytes + 1, nullptr, 0),
                 Error::InvalidArgument);
    EXPECT_ERROR(sys::channel_send(pair.first.value(), big_buffer, ~u64(0), nullptr, 0), Error::InvalidArgument);
    auto sizes = ASSERT_OK(sys::channel_receive(pair.second.value(), big_receive_buffer, sizeof(big_receive_buffer),
                                                nullptr, 0, abi::deadline_now));
    EXPECT_EQ(sizes.bytes, abi::max_message_bytes);
    EXPECT_EQ(__builtin_memcmp(big_receive_buffer, big_buffer, abi::max_message_bytes), 0);
    EXPECT(is_empty(pair.second.value()));

    u64 ids[abi::max_message_handles + 1];
    for (usize i = 0; i <= abi::max_message_handles; ++i) {
        many_handles[i] = ASSERT_OK(sys::event_create());
        ids[i] = ASSERT_OK(sys::handle_info(many_handles[i])).object_id;
    }
    EXPECT_ERROR(sys::channel_send(pair.first.value(), big_buffer, 1, many_handles, abi::max_message_handles + 1),
                 Error::InvalidArgument);
    for (usize i = 0; i <= abi::max_message_handles; ++i) EXPECT(is_valid(many_handles[i]));
    EXPECT(is_empty(pair.second.value()));

    EXPECT_OK(sys::channel_send(pair.first.value(), big_buffer, 1, many_handles, abi::max_message_handles));
    for (usize i = 0; i < abi::max_message_handles; ++i) EXPECT(!is_valid(many_handles[i]));
    HandleValue received[abi::max_message_handles];
    sizes = ASSERT_OK(sys::channel_receive(pair.second.value(), big_receive_buffer, 1, received,
                                           abi::max_message_handles, abi::deadline_now));
    EXPECT_EQ(sizes.handles, abi::max_message_handles);
    for (usize i = 0; i < abi::max_message_handles; ++i) {
        auto info = ASSERT_OK(sys::handle_info(received[i]));
        EXPECT_EQ(info.object_id, ids[i]);
        EXPECT_EQ(info.object_type, poplar::ObjectType::Event);
        EXPECT_OK(sys::handle_close(received[i]));
    }
    EXPECT_OK(sys::handle_close(many_handles[abi::max_message_handles]));
    pair.first.reset();
    pair.second.reset();
    auto after = counts();
    EXPECT_COUNTS_EQ(after, before);
}

USER_TEST(channel_send_failures_keep_every_handle) {
    auto pair = ASSERT_OK(poplar::Channel::create());
    HandleValue a = ASSERT_OK(sys::event_create());
    HandleValue b = ASSERT_OK(sys::event_create());
    HandleValue no_transfer = ASSERT_OK(sys::handle_duplicate(a, rights::wait | rights::signal));
    u8 byte = 7;
    auto check_kept = [&] {
        EXPECT(is_valid(a));
        EXPECT(is_valid(b));
        EXPECT(is_valid(no_transfer));
        EXPECT(is_valid(pair.first.value()));
        EXPECT(is_empty(pair.second.value()));
    };

    HandleValue with_garbage[] = {a, 0xdeadbeef, b};
    EXPECT_ERROR(sys::channel_send(pair.first.value(), &byte, 1, with_garbage, 3), Error::BadHandle);
    check_kept();
    HandleValue twice[] = {a, b, a};
    EXPECT_ERROR(sys::channel_send(pair.first.value(), &byte, 1, twice, 3), Error::InvalidArgument);
    check_kept();
    HandleValue itself[] = {a, pair.first.value()};
    EXPECT_ERROR(sys::channel_send(pair.first.value(), &byte, 1, itself, 2), Error::InvalidArgument);
    check_kept();
    HandleValue without_right[] = {a, b, no_transfer};
    EXPECT_ERROR(sys::channel_send(pair.first.value(), &byte, 1, without_right, 3), Error::AccessDenied);
    check_kept();
    FOR_EACH_BAD_INPUT(2 * sizeof(HandleValue), pointer) {
        auto result = sys::raw(Syscall::channel_send, pair.first.value(), arg(&byte), 1, pointer.address, 2);
        if (result.status != static_cast<u64>(Error::BadAddress)) report_pointer(pointer);
        EXPECT_ERROR(result.result(), Error::BadAddress);
    }
    check_kept();
    HandleValue good[] = {a, b};
    EXPECT_ERROR(sys::channel_send(pair.first.value(), big_buffer, abi::max_message_bytes + 1, good, 2),
                 Error::InvalidArgument);
    check_kept();

    // A closed peer.
    auto lonely = ASSERT_OK(poplar::Channel::create());
    lonely.second.reset();
    EXPECT_ERROR(sys::channel_send(lonely.first.value(), &byte, 1, good, 2), Error::PeerClosed);
    check_kept();

    EXPECT_OK(sys::handle_close(a));
    EXPECT_OK(sys::handle_close(b));
    EXPECT_OK(sys::handle_close(no_transfer));
}

USER_TEST(channel_send_refuses_bad_bytes) {
    auto pair = ASSERT_OK(poplar::Channel::create());
    FOR_EACH_BAD_INPUT(16, pointer) {
        auto result = sys::raw(Syscall::channel_send, pair.first.value(), pointer.address, 16, 0, 0);
        if (result.status != static_cast<u64>(Error::BadAddress)) report_pointer(pointer);
        EXPECT_ERROR(result.result(), Error::BadAddress);
    }
    EXPECT(is_empty(pair.second.value()));
    // Read-only memory is fine to send from.
    EXPECT_OK(sys::channel_send(pair.first.value(), readonly_data, sizeof(readonly_data), nullptr, 0));
    EXPECT_OK(sys::channel_send(pair.first.value(), reinterpret_cast<const void*>(text_address()), 16, nullptr, 0));
}

USER_TEST(channel_receive_too_small_keeps_the_message) {
    auto pair = ASSERT_OK(poplar::Channel::create());
    u8 message[100];
    for (u8 i = 0; i < 100; ++i) message[i] = i;
    HandleValue events[2] = {ASSERT_OK(sys::event_create()), ASSERT_OK(sys::event_create())};
    EXPECT_OK(sys::channel_send(pair.first.value(), message, sizeof(message), events, 2));

    u8 buffer[128] = {};
    HandleValue received[4] = {};
    sys::MessageSizes needed;
    EXPECT_ERROR(sys::channel_receive(pair.second.value(), buffer, 10, received, 4, abi::deadline_now, &needed),
                 Error::BufferTooSmall);
    EXPECT_EQ(needed.bytes, 100ull);
    EXPECT_EQ(needed.handles, 2ull);
    needed = {};
    EXPECT_ERROR(sys::channel_receive(pair.second.value(), buffer, 100, received, 1, abi::deadline_now, &needed),
                 Error::BufferTooSmall);
    EXPECT_EQ(needed.bytes, 100ull);
    EXPECT_EQ(needed.handles, 2ull);
    EXPECT_ERROR(sys::channel_receive(pair.second.value(), buffer, 0, received, 0, abi::deadline_now),
                 Error::BufferTooSmall);

    auto sizes = ASSERT_OK(sys::channel_receive(pair.second.value(), buffer, 100, received, 2, abi::deadline_now));
    EXPECT_EQ(sizes.bytes, 100ull);
    EXPECT_EQ(sizes.handles, 2ull);
    EXPECT_EQ(__builtin_memcmp(buffer, message, 100), 0);
    EXPECT_OK(sys::handle_close(received[0]));
    EXPECT_OK(sys::handle_close(received[1]));
}

USER_TEST(channel_receive_into_bad_memory_keeps_the_message) {
    // The hole must still be a hole for the straddling cases to mean anything.
    EXPECT_ERROR(sys::debug_log(reinterpret_cast<const char*>(hole()), 1), Error::BadAddress);
    auto before = counts();
    auto pair = ASSERT_OK(poplar::Channel::create());
    u8 message[32];
    for (u8 i = 0; i < 32; ++i) message[i] = static_cast<u8>(0x40 + i);
    HandleValue event = ASSERT_OK(sys::event_create());
    u64 event_id = ASSERT_OK(sys::handle_info(event)).object_id;
    EXPECT_OK(sys::channel_send(pair.first.value(), message, sizeof(message), &event, 1));

    HandleValue received = abi::invalid_handle;
    u8 buffer[32] = {};
    FOR_EACH_BAD_OUTPUT(32, pointer) {
        auto result = sys::raw(Syscall::channel_receive, pair.second.value(), pointer.address, 32, arg(&received), 1,
                               abi::deadline_now);
        if (result.status != static_cast<u64>(Error::BadAddress)) report_pointer(pointer);
        EXPECT_ERROR(result.result(), Error::BadAddress);
    }
    // The kernel writes only the handles the message has (one here), so that is the region the
    // bad pointer must cover.
    FOR_EACH_BAD_OUTPUT(sizeof(HandleValue), pointer) {
        auto result = sys::raw(Syscall::channel_receive, pair.second.value(), arg(buffer), 32, pointer.address, 1,
                               abi::deadline_now);
        if (result.status != static_cast<u64>(Error::BadAddress)) report_pointer(pointer);
        EXPECT_ERROR(result.result(), Error::BadAddress);
    }
    auto sizes = ASSERT_OK(sys::channel_receive(pair.second.value(), buffer, 32, &received, 1, abi::deadline_now));
    EXPECT_EQ(sizes.bytes, 32ull);
    EXPECT_EQ(__builtin_memcmp(buffer, message, 32), 0);
    EXPECT_EQ(ASSERT_OK(sys::handle_info(received)).object_id, event_id);
    EXPECT_OK(sys::handle_close(received));
    pair.first.reset();
    pair.second.reset();
    auto after = counts();
    EXPECT_COUNTS_EQ(after, before);
}

USER_TEST(channel_receive_waits_until_the_deadline) {
    auto pair = ASSERT_OK(poplar::Channel::create());
    u8 buffer[8];
    EXPECT_ERROR(sys::channel_receive(pair.second.value(), buffer, 8, nullptr, 0, abi::deadline_now),
                 Error::ShouldWait);
    u64 start = sys::clock_read();
    EXPECT_ERROR(sys::channel_receive(pair.second.value(), buffer, 8, nullptr, 0, start + 20 * millisecond),
                 Error::TimedOut);
    u64 elapsed = sys::clock_read() - start;
    EXPECT(elapsed >= 20 * millisecond);
    EXPECT(elapsed < 2000 * millisecond);
    EXPECT_ERROR(sys::channel_receive(pair.second.value(), buffer, 8, nullptr, 0, 1), Error::TimedOut);
}

USER_TEST(channel_peer_closed_is_seen_at_both_ends) {
    for (int direction = 0; direction < 2; ++direction) {
        auto pair = ASSERT_OK(poplar::Channel::create());
        poplar::Channel& stays = direction == 0 ? pair.first : pair.second;
        poplar::Channel& goes = direction == 0 ? pair.second : pair.first;
        const u8 last_words[] = {'b', 'y', 'e'};
        EXPECT_OK(goes.send(base::ReadonlyBytes(last_words)));
        EXPECT_ERROR(sys::wait_one(stays.value(), signals::peer_closed, abi::deadline_now), Error::ShouldWait);
        goes.reset();

        u32 observed = ASSERT_OK(sys::wait_one(stays.value(), signals::peer_closed, abi::deadline_now));
        EXPECT(observed & signals::peer_closed);
        EXPECT(observed & signals::readable);
        u8 byte = 0;
        EXPECT_ERROR(sys::channel_send(stays.value(), &byte, 1, nullptr, 0), Error::PeerClosed);
        // What was queued before the close can still be read; then the channel reports the close.
        u8 buffer[8] = {};
        auto sizes = ASSERT_OK(stays.receive(base::Bytes(buffer), {}, abi::deadline_now));
        EXPECT_EQ(sizes.bytes, 3ull);
        EXPECT_EQ(buffer[0], 'b');
        EXPECT_ERROR(stays.receive(base::Bytes(buffer), {}, abi::deadline_now), Error::PeerClosed);
        EXPECT_ERROR(stays.receive(base::Bytes(buffer), {}, abi::deadline_infinite), Error::PeerClosed);
    }
}

USER_TEST(closing_an_end_destroys_its_queued_handles) {
    auto before = counts();
    auto pair = ASSERT_OK(poplar::Channel::create());
    HandleValue event = ASSERT_OK(sys::event_create());
    HandleValue inner_pair[2];
    auto inner = ASSERT_OK(sys::channel_create());
    inner_pair[0] = inner.first;
    inner_pair[1] = inner.second;
    u8 byte = 1;
    EXPECT_OK(sys::channel_send(pair.first.value(), &byte, 1, &event, 1));
    EXPECT_OK(sys::channel_send(pair.first.value(), &byte, 1, inner_pair, 2));
    EXPECT_EQ(counts().events, before.events + 1);
    pair.second.reset();
    EXPECT_EQ(counts().events, before.events);
    pair.first.reset();
    auto after = counts();
    EXPECT_COUNTS_EQ(after, before);
}

USER_TEST(channel_calls_need_their_rights) {
    // Ends cannot be duplicated: two pairs, one end of each narrowed.
    auto pair = ASSERT_OK(poplar::Channel::create());
    auto other = ASSERT_OK(poplar::Channel::create());
    auto& receive_only = pair.first;
    auto& send_only = other.first;
    EXPECT_OK(receive_only.replace(rights::receive | rights::wait));
    EXPECT_OK(send_only.replace(rights::send | rights::wait));
    u8 byte = 1;
    EXPECT_ERROR(sys::channel_send(receive_only.value(), &byte, 1, nullptr, 0), Error::AccessDenied);
    EXPECT(is_empty(pair.second.value()));
    EXPECT_OK(sys::channel_send(pair.second.value(), &byte, 1, nullptr, 0));
    EXPECT_ERROR(sys::channel_receive(send_only.value(), &byte, 1, nullptr, 0, abi::deadline_now), Error::AccessDenied);
    abi::ChannelCallArguments call{&byte, 1, nullptr, 0, &byte, 1, nullptr, 0};
    EXPECT_ERROR(sys::channel_call(send_only.value(), call, abi::deadline_now), Error::AccessDenied);
    EXPECT_ERROR(sys::channel_call(receive_only.value(), call, abi::deadline_now), Error::AccessDenied);
    EXPECT(is_empty(other.second.value()));
    // The message queued before is still there.
    EXPECT_OK(sys::channel_receive(receive_only.value(), &byte, 1, nullptr, 0, abi::deadline_now));
}

USER_TEST(channel_call_takes_only_the_reply_carrying_its_transaction) {
    auto pair = ASSERT_OK(poplar::Channel::create());
    // A message queued before the call is not its reply: it stays queued.
    const u8 early[] = {'p', 'o', 'n', 'g'};
    EXPECT_OK(pair.second.send(base::ReadonlyBytes(early)));
    const u8 request[] = {'p', 'i', 'n', 'g', '!'};
    u8 buffer[16] = {};
    // No reply: the request is sent (with a fresh transaction), the wait times out.
    u64 start = sys::clock_read();
    abi::ChannelCallArguments call{request, 5, nullptr, 0, buffer, sizeof(buffer), nullptr, 0};
    bool sent = false;
    EXPECT_ERROR(sys::channel_call(pair.first.value(), call, start + 10 * millisecond, nullptr, &sent),
                 Error::TimedOut);
    EXPECT(sent);
    EXPECT(sys::clock_read() - start >= 10 * millisecond);
    auto queued = ASSERT_OK(pair.first.receive(base::Bytes(buffer), {}, abi::deadline_now));
    EXPECT_EQ(queued.bytes, 4ull);
    EXPECT_EQ(queued.transaction, 0ull);
    auto first_request = ASSERT_OK(pair.second.receive(base::Bytes(buffer), {}, abi::deadline_now));
    EXPECT_EQ(first_request.bytes, 5ull);
    EXPECT_EQ(buffer[4], '!');
    EXPECT(first_request.transaction != 0);

    // The reply to a call that no longer waits is queued like any message, its transaction told.
    EXPECT_OK(sys::channel_send(pair.second.value(), early, sizeof(early), nullptr, 0, first_request.transaction));
    auto late = ASSERT_OK(pair.first.receive(base::Bytes(buffer), {}, abi::deadline_now));
    EXPECT_EQ(late.transaction, first_request.transaction);

    // The next call gets another id; a forged reply (an id no call waits for) is queued too.
    EXPECT_ERROR(sys::channel_call(pair.first.value(), call, sys::deadline_after(millisecond)), Error::TimedOut);
    auto second_request = ASSERT_OK(pair.second.receive(base::Bytes(buffer), {}, abi::deadline_now));
    EXPECT(second_request.transaction != 0 && second_request.transaction != first_request.transaction);
    EXPECT_OK(sys::channel_send(pair.second.value(), early, sizeof(early), nullptr, 0, ~u64(0)));
    EXPECT_EQ(ASSERT_OK(pair.first.receive(base::Bytes(buffer), {}, abi::deadline_now)).transaction, ~u64(0));

    // Send errors come first, and send nothing.
    abi::ChannelCallArguments too_big{big_buffer, abi::max_message_bytes + 1, nullptr, 0, buffer, 16, nullptr, 0};
    EXPECT_ERROR(sys::channel_call(pair.first.value(), too_big, abi::deadline_now), Error::InvalidArgument);
    HandleValue garbage = 0xdeadbeef;
    abi::ChannelCallArguments bad_handle{request, 5, &garbage, 1, buffer, 16, nullptr, 0};
    EXPECT_ERROR(sys::channel_call(pair.first.value(), bad_handle, abi::deadline_now), Error::BadHandle);
    EXPECT(is_empty(pair.second.value()));
}

USER_TEST(channel_call_refuses_bad_arguments) {
    auto pair = ASSERT_OK(poplar::Channel::create());
    FOR_EACH_BAD_INPUT(sizeof(abi::ChannelCallArguments), pointer) {
        auto result = sys::raw(Syscall::channel_call, pair.first.value(), pointer.address, abi::deadline_now);
        if (result.status != static_cast<u64>(Error::BadAddress)) report_pointer(pointer);
        EXPECT_ERROR(result.result(), Error::BadAddress);
    }
    u8 buffer[16];
    abi::ChannelCallArguments kernel_bytes{
        reinterpret_cast<const u8*>(kernel_address), 8, nullptr, 0, buffer, 16, nullptr, 0};
    EXPECT_ERROR(sys::channel_call(pair.first.value(), kernel_bytes, abi::deadline_now), Error::BadAddress);
    EXPECT(is_empty(pair.second.value()));

    pair.second.reset();
    abi::ChannelCallArguments call{buffer, 1, nullptr, 0, buffer, 16, nullptr, 0};
    EXPECT_ERROR(sys::channel_call(pair.first.value(), call, abi::deadline_infinite), Error::PeerClosed);
}

// ---------------------------------------------------------------------------------------------
// Events and waiting

USER_TEST(events_signal_and_clear) {
    auto event = ASSERT_OK(poplar::Event::create());
    EXPECT_ERROR(sys::wait_one(event.value(), signals::signaled, abi::deadline_now), Error::ShouldWait);
    EXPECT_OK(event.signal());
    u32 observed = ASSERT_OK(sys::wait_one(event.value(), signals::signaled, abi::deadline_now));
    EXPECT(observed & signals::signaled);
    EXPECT_OK(event.signal());
    EXPECT_EQ(ASSERT_OK(event.is_signaled()), true);
    EXPECT_OK(event.clear());
    EXPECT_ERROR(sys::wait_one(event.value(), signals::signaled, abi::deadline_now), Error::ShouldWait);
    EXPECT_OK(event.clear());
    EXPECT_EQ(ASSERT_OK(event.is_signaled()), false);
}

USER_TEST(wait_one_times_out_and_needs_its_right) {
    auto event = ASSERT_OK(poplar::Event::create());
    u64 start = sys::clock_read();
    EXPECT_ERROR(sys::wait_one(event.value(), signals::signaled, start + 20 * millisecond), Error::TimedOut);
    u64 elapsed = sys::clock_read() - start;
    EXPECT(elapsed >= 20 * millisecond);
    EXPECT(elapsed < 2000 * millisecond);
    auto no_wait = ASSERT_OK(event.duplicate(rights::signal));
    EXPECT_ERROR(sys::wait_one(no_wait.value(), signals::signaled, abi::deadline_now), Error::AccessDenied);
}

USER_TEST(wait_many_reports_the_first_ready_item) {
    poplar::Event events[3];
    for (auto& event : events) event = ASSERT_OK(poplar::Event::create());
    auto pair = ASSERT_OK(poplar::Channel::create());
    abi::WaitItem items[4] = {};
    auto reset_items = [&] {
        for (int i = 0; i < 3; ++i) items[i] = {events[i].value(), signals::signaled, 0xffffffff, 0};
        items[3] = {pair.second.value(), signals::readable, 0xffffffff, 0};
    };

    reset_items();
    EXPECT_ERROR(sys::wait_many(items, 4, abi::deadline_now), Error::ShouldWait);
    u64 start = sys::clock_read();
    reset_items();
    EXPECT_ERROR(sys::wait_many(items, 4, start + 20 * millisecond), Error::TimedOut);
    EXPECT(sys::clock_read() - start >= 20 * millisecond);

    EXPECT_OK(events[1].signal());
    reset_items();
    EXPECT_EQ(ASSERT_OK(sys::wait_many(items, 4, abi::deadline_infinite)), 1ull);
    EXPECT_EQ(items[0].observed & signals::signaled, 0u);
    EXPECT_EQ(items[1].observed & signals::signaled, signals::signaled);
    EXPECT_EQ(items[2].observed & signals::signaled, 0u);
    EXPECT_EQ(items[3].observed & signals::readable, 0u);
    EXPECT_EQ(items[3].observed & signals::writable, signals::writable);

    EXPECT_OK(events[2].signal());
    EXPECT_OK(events[0].signal());
    reset_items();
    EXPECT_EQ(ASSERT_OK(sys::wait_many(items, 4, abi::deadline_now)), 0ull);
    for (auto& event : events) EXPECT_OK(event.clear());

    u8 byte = 1;
    EXPECT_OK(sys::channel_send(pair.first.value(), &byte, 1, nullptr, 0));
    reset_items();
    EXPECT_EQ(ASSERT_OK(sys::wait_many(items, 4, abi::deadline_now)), 3ull);
    EXPECT(items[3].observed & signals::readable);
}

USER_TEST(wait_many_checks_its_items) {
    auto event = ASSERT_OK(poplar::Event::create());
    EXPECT_OK(event.signal());
    abi::WaitItem items[abi::max_wait_items + 1];
    for (auto& item : items) item = {event.value(), signals::signaled, 0, 0};
    EXPECT_EQ(ASSERT_OK(sys::wait_many(items, abi::max_wait_items, abi::deadline_now)), 0ull);
    EXPECT_ERROR(sys::wait_many(items, 0, abi::deadline_now), Error::InvalidArgument);
    EXPECT_ERROR(sys::wait_many(items, abi::max_wait_items + 1, abi::deadline_now), Error::InvalidArgument);
    EXPECT_ERROR(sys::wait_many(items, ~u64(0), abi::deadline_now), Error::InvalidArgument);

    items[2].handle = 0xdeadbeef;
    EXPECT_ERROR(sys::wait_many(items, 3, abi::deadline_now), Error::BadHandle);
    auto no_wait = ASSERT_OK(event.duplicate(rights::signal));
    items[2].handle = no_wait.value();
    EXPECT_ERROR(sys::wait_many(items, 3, abi::deadline_now), Error::AccessDenied);

    // Valid items in read-only memory: a second, read-only mapping of the items' object.
    auto memory = ASSERT_OK(poplar::MemoryObject::create(page));
    auto writable = ASSERT_OK(memory.map());
    auto* shared_items = reinterpret_cast<abi::WaitItem*>(writable.data());
    shared_items[0] = {event.value(), signals::signaled, 0, 0};
    auto readonly = ASSERT_OK(memory.map(0));
    EXPECT_ERROR(sys::wait_many(reinterpret_cast<abi::WaitItem*>(readonly.data()), 1, abi::deadline_now),
                 Error::BadAddress);
    EXPECT_EQ(ASSERT_OK(sys::wait_many(shared_items, 1, abi::deadline_now)), 0ull);

    FOR_EACH_BAD_INPUT(2 * sizeof(abi::WaitItem), pointer) {
        auto result = sys::raw(Syscall::wait_many, pointer.address, 2, abi::deadline_now);
        if (result.status != static_cast<u64>(Error::BadAddress)) report_pointer(pointer);
        EXPECT_ERROR(result.result(), Error::BadAddress);
    }
}

// ---------------------------------------------------------------------------------------------
// Tasks (bad input; spawn_test runs real children)

USER_TEST(task_spawn_refuses_bad_input_and_keeps_handles) {
    auto before = counts();
    HandleValue event = ASSERT_OK(sys::event_create());
    const char missing[] = "no_such_module";
    EXPECT_ERROR(sys::task_spawn(missing, sizeof(missing) - 1, &event, 1), Error::NotFound);
    EXPECT(is_valid(event));
    EXPECT_ERROR(sys::task_spawn(missing, 0, nullptr, 0), Error::InvalidArgument);
    char long_name[abi::max_name_bytes + 2];
    for (auto& c : long_name) c = 'x';
    EXPECT_ERROR(sys::task_spawn(long_name, sizeof(long_name), nullptr, 0), Error::InvalidArgument);
    EXPECT_ERROR(sys::task_spawn(missing, ~u64(0), nullptr, 0), Error::InvalidArgument);
    FOR_EACH_BAD_INPUT(8, pointer) {
        auto result = sys::raw(Syscall::task_spawn, pointer.address, 8, 0, 0);
        if (result.status != static_cast<u64>(Error::BadAddress)) report_pointer(pointer);
        EXPECT_ERROR(result.result(), Error::BadAddress);
    }
    HandleValue too_many[abi::StartInfo::max_handles + 1];
    for (auto& value : too_many) value = event;
    EXPECT_ERROR(sys::task_spawn(missing, sizeof(missing) - 1, too_many, abi::StartInfo::max_handles + 1),
                 Error::InvalidArgument);
    HandleValue with_garbage[] = {event, 0xdeadbeef};
    EXPECT_ERROR(sys::task_spawn(missing, sizeof(missing) - 1, with_garbage, 2), Error::BadHandle);
    HandleValue twice[] = {event, event};
    EXPECT_ERROR(sys::task_spawn(missing, sizeof(missing) - 1, twice, 2), Error::InvalidArgument);
    EXPECT_EQ(sys::raw(Syscall::task_spawn, arg(missing), sizeof(missing) - 1, kernel_address, 1).error(),
              Error::BadAddress);
    EXPECT(is_valid(event));
    EXPECT_OK(sys::handle_close(event));
    auto after = counts();
    EXPECT_COUNTS_EQ(after, before);
}

USER_TEST(task_cpu_time_of_the_caller) {
    auto first = ASSERT_OK(sys::task_cpu_time(abi::invalid_handle));
    u64 end = sys::clock_read() + 10 * millisecond;
    while (sys::clock_read() < end) asm volatile("pause");
    auto second = ASSERT_OK(poplar::Task::own_cpu_time());
    EXPECT(second.user_nanoseconds + second.kernel_nanoseconds > first.user_nanoseconds + first.kernel_nanoseconds);
    EXPECT(second.user_nanoseconds + second.kernel_nanoseconds - (first.user_nanoseconds + first.kernel_nanoseconds) >=
           5 * millisecond);
    FOR_EACH_BAD_OUTPUT(sizeof(abi::CpuTime), pointer) {
        auto result = sys::raw(Syscall::task_cpu_time, 0, pointer.address);
        if (result.status != static_cast<u64>(Error::BadAddress)) report_pointer(pointer);
        EXPECT_ERROR(result.result(), Error::BadAddress);
    }
}

// ---------------------------------------------------------------------------------------------
// Object counts

USER_TEST(object_counts_return_to_baseline) {
    auto before = counts();
    EXPECT(before.tasks >= 2);  // init and this program
    EXPECT(before.threads >= 2);
    EXPECT(before.address_spaces >= 2);
    {
        auto pair = ASSERT_OK(poplar::Channel::create());
        auto event = ASSERT_OK(poplar::Event::create());
        auto memory = ASSERT_OK(poplar::MemoryObject::create(4 * page));
        auto mapping = ASSERT_OK(memory.map());
        auto copy = ASSERT_OK(event.duplicate(rights::wait));
        auto during = counts();
        EXPECT(during.channels > before.channels);  // one object per pair, or one per end
        EXPECT_EQ(during.events, before.events + 1);
        EXPECT_EQ(during.memory_objects, before.memory_objects + 1);
    }
    auto after = counts();
    EXPECT_COUNTS_EQ(after, before);
}

USER_TEST(object_counts_refuse_bad_output) {
    FOR_EACH_BAD_OUTPUT(sizeof(abi::ObjectCounts), pointer) {
        auto result = sys::raw(Syscall::debug_object_counts, pointer.address);
        if (result.status != static_cast<u64>(Error::BadAddress)) report_pointer(pointer);
        EXPECT_ERROR(result.result(), Error::BadAddress);
    }
}

USER_TEST(memory_usage_reports_and_refuses_bad_output) {
    auto usage = ASSERT_OK(sys::debug_memory_usage());
    EXPECT(usage.heap_bytes > 0);
    EXPECT(usage.frames_in_use > 0);
    // A mapped and touched megabyte shows up as frames, and goes away with its mapping.
    auto memory = ASSERT_OK(poplar::MemoryObject::create(256 * page));
    auto mapping = ASSERT_OK(memory.map());
    for (u64 i = 0; i < 256; ++i) mapping.data()[i * page] = 1;
    auto during = ASSERT_OK(sys::debug_memory_usage());
    EXPECT(during.frames_in_use >= usage.frames_in_use + 256);
    EXPECT_OK(mapping.unmap());
    memory.reset();
    auto after = ASSERT_OK(sys::debug_memory_usage());
    EXPECT_EQ(after.frames_in_use, usage.frames_in_use);
    FOR_EACH_BAD_OUTPUT(sizeof(abi::KernelMemoryUsage), pointer) {
        auto result = sys::raw(Syscall::debug_memory_usage, pointer.address);
        if (result.status != static_cast<u64>(Error::BadAddress)) report_pointer(pointer);
        EXPECT_ERROR(result.result(), Error::BadAddress);
    }
}

}  // namespace

USER_TEST(channel_call_says_whether_the_request_was_sent) {
    auto pair = ASSERT_OK(poplar::Channel::create());
    HandleValue event = ASSERT_OK(sys::event_create());
    u8 request[8] = {1};
    abi::ChannelCallArguments call{request, sizeof(request), &event, 1, nullptr, 0, nullptr, 0};
    bool sent = false;
    // The reply times out after the request went out: the event went with it.
    EXPECT_ERROR(sys::channel_call(pair.first.value(), call, sys::deadline_after(1'000'000), nullptr, &sent),
                 Error::TimedOut);
    EXPECT(sent);
    EXPECT(!is_valid(event));
    // A send that fails (bad handle) reports that nothing went out.
    HandleValue bogus = 0x7fff1234;
    call.send_handles = &bogus;
    sent = true;
    EXPECT_ERROR(sys::channel_call(pair.first.value(), call, abi::deadline_now, nullptr, &sent), Error::BadHandle);
    EXPECT(!sent);
}

USER_TEST(values_above_32_bits_name_nothing) {
    auto event = ASSERT_OK(poplar::Event::create());
    u64 widened = (1ull << 32) | event.value();
    EXPECT_ERROR(sys::raw(Syscall::event_signal, widened).result(), Error::BadHandle);
    EXPECT_ERROR(sys::raw(Syscall::handle_close, widened).result(), Error::BadHandle);
    EXPECT(is_valid(event.value()));
    auto before = counts();
    EXPECT_ERROR(sys::raw(Syscall::memory_object_create, page, 1ull << 40).result(), Error::InvalidArgument);
    EXPECT_COUNTS_EQ(counts(), before);
}

int main(const poplar::abi::StartInfo&) {
    if (!make_page_before_hole()) {
        poplar::println("syscall_test: cannot set up the page before a hole");
        return 1;
    }
    return usertest::run_all_tests("syscall_test");
}
