// RFLAGS bits a task may set before entering the kernel must not follow the kernel around: NT,
// AC and DF set across blocking and non-blocking calls, preemption and context switches (with
// another task running), random flag values before system calls, and TF (a single-step trap in
// user mode), which must end that task alone. Needs the boot modules spinner, child_echo and
// rflags_trap.

#include <poplar/channel.h>
#include <poplar/event.h>
#include <poplar/start.h>
#include <poplar/task.h>

#include "test.h"
#include "xorshift.h"

using base::Error;
using poplar::Task;
namespace abi = poplar::abi;
namespace sys = poplar::sys;

namespace {

constexpr u64 millisecond = 1'000'000;

namespace flag {
constexpr u64 carry = 1 << 0, parity = 1 << 2, adjust = 1 << 4, zero = 1 << 6, sign = 1 << 7, trap = 1 << 8,
              direction = 1 << 10, overflow = 1 << 11, nested_task = 1 << 14, alignment_check = 1 << 18, id = 1 << 21;
// What popfq may change in ring 3 (IF and IOPL are ignored there; RF is always cleared).
constexpr u64 user_writable =
    carry | parity | adjust | zero | sign | trap | direction | overflow | nested_task | alignment_check | id;
}  // namespace flag

struct FlaggedResult {
    sys::RawResult result;
    u64 flags_after;  // RFLAGS right after the syscall instruction, before they are restored
};

// Issues one system call with RFLAGS set to `flags` (the user-writable bits of it) and puts the
// previous flags back afterwards, all in one asm statement: compiled code never runs with DF set.
// The stack pointer steps over the red zone before pushing.
FlaggedResult flagged_syscall(u64 flags, abi::Syscall number, u64 a0 = 0, u64 a1 = 0, u64 a2 = 0, u64 a3 = 0,
                              u64 a4 = 0, u64 a5 = 0) {
    register u64 r10 asm("r10") = a3;
    register u64 r8 asm("r8") = a4;
    register u64 r9 asm("r9") = a5;
    u64 rax = static_cast<u64>(number), rdx = a2, saved, after;
    asm volatile(
        "lea -128(%%rsp), %%rsp\n\t"
        "pushfq\n\t"
        "popq %[saved]\n\t"
        "pushq %[flags]\n\t"
        "popfq\n\t"
        "syscall\n\t"
        "pushfq\n\t"
        "popq %[after]\n\t"
        "pushq %[saved]\n\t"
        "popfq\n\t"
        "lea 128(%%rsp), %%rsp"
        : "+a"(rax), "+d"(rdx), "+D"(a0), "+S"(a1), "+r"(r10), "+r"(r8),
          "+r"(r9), [saved] "=&r"(saved), [after] "=&r"(after)
        : [flags] "r"(flags | 0x202)
        : "rcx", "r11", "memory", "cc");
    return {{rax, rdx}, after};
}

// Spins in user mode with `flags` set for about `iterations` loop turns (long enough for timer
// interrupts and preemption to land in the middle); returns the flags at the end.
u64 spin_with_flags(u64 flags, u64 iterations) {
    u64 saved, after;
    asm volatile(
        "lea -128(%%rsp), %%rsp\n\t"
        "pushfq\n\t"
        "popq %[saved]\n\t"
        "pushq %[flags]\n\t"
        "popfq\n\t"
        "1: dec %[count]\n\t"
        "jnz 1b\n\t"
        "pushfq\n\t"
        "popq %[after]\n\t"
        "pushq %[saved]\n\t"
        "popfq\n\t"
        "lea 128(%%rsp), %%rsp"
        : [count] "+r"(iterations), [saved] "=&r"(saved), [after] "=&r"(after)
        : [flags] "r"(flags | 0x202)
        : "memory", "cc");
    return after;
}

using usertest::xorshift;

// Another task keeps the CPU busy, so that every block and wake switches between tasks.
struct BusyNeighbour {
    Task task;
    BusyNeighbour() : task(Task::spawn("spinner").release_value()) {}
    ~BusyNeighbour() {
        (void)task.kill();
        (void)task.wait();
    }
};

constexpr u64 dangerous_flags[] = {flag::nested_task, flag::alignment_check, flag::direction,
                                   flag::nested_task | flag::alignment_check | flag::direction};

// Each call below, with `flags` set, must come back with the same user flags.
void check_calls_with(u64 flags) {
    auto channel = ASSERT_OK(poplar::Channel::create());
    auto event = ASSERT_OK(poplar::Event::create());
    u8 buffer[16];
    auto expect_kept = [&](const FlaggedResult& call) { EXPECT_EQ(call.flags_after & flag::user_writable, flags); };

    // Non-blocking.
    auto clock = flagged_syscall(flags, abi::Syscall::clock_read);
    EXPECT(clock.result.is_ok());
    expect_kept(clock);
    auto signal = flagged_syscall(flags, abi::Syscall::event_signal, event.value());
    EXPECT(signal.result.is_ok());
    expect_kept(signal);
    abi::HandleInfo info{};
    auto handle_info = flagged_syscall(flags, abi::Syscall::handle_info, event.value(), sys::arg(&info));
    EXPECT(handle_info.result.is_ok());
    expect_kept(handle_info);
    auto poll = flagged_syscall(flags, abi::Syscall::channel_receive, channel.first.value(), sys::arg(buffer),
                                sizeof(buffer), 0, 0, abi::deadline_now);
    EXPECT_EQ(poll.result.error(), Error::ShouldWait);
    expect_kept(poll);

    // Blocking: each switches to another thread and back.
    auto yield = flagged_syscall(flags, abi::Syscall::yield);
    EXPECT(yield.result.is_ok());
    expect_kept(yield);
    auto sleep = flagged_syscall(flags, abi::Syscall::sleep, sys::deadline_after(2 * millisecond));
    EXPECT(sleep.result.is_ok());
    expect_kept(sleep);
    auto receive = flagged_syscall(flags, abi::Syscall::channel_receive, channel.first.value(), sys::arg(buffer),
                                   sizeof(buffer), 0, 0, sys::deadline_after(2 * millisecond));
    EXPECT_EQ(receive.result.error(), Error::TimedOut);
    expect_kept(receive);
    EXPECT_OK(event.clear());
    auto wait = flagged_syscall(flags, abi::Syscall::wait_one, event.value(), abi::signals::signaled,
                                sys::deadline_after(2 * millisecond));
    EXPECT_EQ(wait.result.error(), Error::TimedOut);
    expect_kept(wait);
}

USER_TEST(nt_ac_df_survive_blocking_and_non_blocking_calls) {
    BusyNeighbour neighbour;
    for (int round = 0; round < 5; ++round)
        for (u64 flags : dangerous_flags) check_calls_with(flags);
}

// A call and its reply take the IPC fast path: the message is copied straight into the
// receiver's buffer and the CPU handed to it, both ways.
USER_TEST(nt_ac_df_survive_channel_calls) {
    auto pair = ASSERT_OK(poplar::Channel::create());
    poplar::Handle handles[1] = {base::move(pair.second)};
    auto echo = ASSERT_OK(Task::spawn("child_echo", base::Span<poplar::Handle>(handles)));
    for (u64 flags : dangerous_flags) {
        const u8 request[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, static_cast<u8>(flags)};
        u8 reply[16] = {};
        abi::ChannelCallArguments call{request, sizeof(request), nullptr, 0, reply, sizeof(reply), nullptr, 0};
        auto result = flagged_syscall(flags, abi::Syscall::channel_call, pair.first.value(), sys::arg(&call),
                                      abi::deadline_infinite);
        EXPECT(result.result.is_ok());
        EXPECT_EQ(result.flags_after & flag::user_writable, flags);
        EXPECT_EQ(__builtin_memcmp(reply, request, sizeof(reply)), 0);
    }
    pair.first.reset();  // child_echo exits when its peer goes
    EXPECT_EQ(ASSERT_OK(echo.wait(sys::deadline_after(5000 * millisecond))), 0);
}

USER_TEST(nt_ac_df_survive_preemption) {
    BusyNeighbour neighbour;
    for (u64 flags : dangerous_flags) {
        u64 after = spin_with_flags(flags, 20'000'000);  // the loop itself leaves ZF and PF set
        EXPECT_EQ(after & (flag::nested_task | flag::alignment_check | flag::direction), flags);
    }
}

USER_TEST(random_flags_before_system_calls) {
    BusyNeighbour neighbour;
    u64 random = 0x2545f4914f6cdd1dull;
    for (int i = 0; i < 3000; ++i) {
        u64 flags = xorshift(random) & flag::user_writable & ~flag::trap;
        FlaggedResult call;
        u64 expected_status = 0;
        switch (xorshift(random) % 4) {
            case 0:
                call = flagged_syscall(flags, abi::Syscall::clock_read);
                break;
            case 1:
                call = flagged_syscall(flags, abi::Syscall::yield);
                break;
            case 2:
                call = flagged_syscall(flags, abi::Syscall::sleep, sys::deadline_after(100'000));
                break;
            default:  // no such call: the kernel answers NotSupported
                call = flagged_syscall(flags, static_cast<abi::Syscall>(1000 + xorshift(random) % 1000));
                expected_status = static_cast<u64>(Error::NotSupported);
                break;
        }
        EXPECT_EQ(call.result.status, expected_status);
        EXPECT_EQ(call.flags_after & flag::user_writable, flags);
    }
}

// rflags_trap sets TF in one of three ways (see rflags_trap.cpp); each must die of a debug
// exception (status -1000 - 1), and nothing else.
USER_TEST(trap_flag_kills_only_the_task) {
    BusyNeighbour neighbour;
    for (u8 mode = 0; mode < 3; ++mode) {
        auto pair = ASSERT_OK(poplar::Channel::create());
        poplar::Handle handles[1] = {base::move(pair.second)};
        auto task = ASSERT_OK(Task::spawn("rflags_trap", base::Span<poplar::Handle>(handles)));
        EXPECT_OK(pair.first.send(base::ReadonlyBytes(&mode, 1)));
        EXPECT_EQ(ASSERT_OK(task.wait(sys::deadline_after(5000 * millisecond))), -1001);
    }
    // The kernel and this task carry on.
    auto after = flagged_syscall(0, abi::Syscall::sleep, sys::deadline_after(millisecond));
    EXPECT(after.result.is_ok());
}

}  // namespace

int main(const abi::StartInfo&) { return usertest::run_all_tests("rflags_test"); }
