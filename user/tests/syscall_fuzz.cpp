// Random system calls with random arguments: handles live and dead, pointers good, bad and
// kernel-space, sizes small and absurd. The kernel must answer each with a status and go on;
// the run passes when this task survives to the end (and the kernel with it). Deterministic: a
// fixed seed, so a failure can be replayed.

#include <poplar/print.h>
#include <poplar/start.h>
#include <poplar/syscall.h>

namespace abi = poplar::abi;
namespace sys = poplar::sys;
using abi::Syscall;

namespace {

constexpr u64 calls = 30000;
constexpr u64 page = abi::page_size;

u64 state = 0x243f6a8885a308d3ull;
u64 next_random() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}
template <typename T, usize N>
T pick(const T (&values)[N]) {
    return values[next_random() % N];
}

alignas(16) u8 buffer[2 * page];
u64 handles[64];
usize handle_count = 0;
const char module_names[] = "child_echonope";

u64 random_argument(u64 deadline_now) {
    const u64 pointers[] = {0,
                            reinterpret_cast<u64>(buffer),
                            reinterpret_cast<u64>(buffer) + page - 8,
                            reinterpret_cast<u64>(module_names),
                            0x1000,
                            0xffffffff80000000ull,
                            0xffff800000000000ull,
                            0x0000800000000000ull,
                            abi::user_space_end - 4,
                            ~u64(0) - 7};
    const u64 sizes[] = {0, 1, 4, 8, 10, 16, 64, 4096, 65536, 65537, 1ull << 31, ~u64(0)};
    switch (next_random() % 5) {
        case 0:
            return handle_count ? handles[next_random() % handle_count] : 0;
        case 1:
            return pick(pointers);
        case 2:
            return pick(sizes);
        case 3:
            return deadline_now;
        default:
            return next_random() >> (next_random() % 64);
    }
}

// Which argument is a deadline, so that no call waits long.
int deadline_index(u64 number) {
    switch (static_cast<Syscall>(number)) {
        case Syscall::sleep:
            return 0;
        case Syscall::channel_receive:
            return 5;
        case Syscall::channel_call:
        case Syscall::wait_one:
        case Syscall::wait_many:
            return 2;
        case Syscall::task_wait:
            return 1;
        default:
            return -1;
    }
}

const u64 known_calls[] = {0,  2,  3,  4,  10, 11, 12, 20, 21, 22, 30, 31, 32, 33,
                           40, 41, 42, 50, 51, 60, 61, 62, 63, 64, 90, 91, 93};

bool excluded(u64 number) {
    // Ending ourselves, and making the kernel do CPU work for us, are not what this tests.
    return number == static_cast<u64>(Syscall::task_exit) || number == static_cast<u64>(Syscall::debug_kernel_work);
}

}  // namespace

int main(const abi::StartInfo& info) {
    u64 statuses[32] = {};
    for (u64 i = 0; i < calls; ++i) {
        // Mostly real calls, sometimes any number at all.
        u64 number = next_random() % 8 ? pick(known_calls) : next_random() % 200;
        if (excluded(number)) continue;
        u64 soon = sys::clock_read() + 100'000;
        u64 arguments[6];
        for (u64& argument : arguments) argument = random_argument(next_random() % 2 ? 0 : soon);
        int deadline = deadline_index(number);
        if (deadline >= 0) arguments[deadline] = next_random() % 2 ? 0 : soon;
        auto result =
            sys::raw(number, arguments[0], arguments[1], arguments[2], arguments[3], arguments[4], arguments[5]);
        ++statuses[result.status < 32 ? result.status : 31];
        // Keep some of what was created, to feed back in as handles.
        bool makes_handle = number == u64(Syscall::event_create) || number == u64(Syscall::memory_object_create) ||
                            number == u64(Syscall::task_spawn) || number == u64(Syscall::handle_duplicate);
        if (result.is_ok() && makes_handle && handle_count < 64) handles[handle_count++] = result.value;
        if (i % 5000 == 0) handles[next_random() % 64] = next_random();  // and some garbage
    }
    poplar::println(
        "{}: {} calls; ok {}, InvalidArgument {}, BadHandle {}, WrongType {}, AccessDenied {}, "
        "BadAddress {}, NotSupported {}, others {}",
        info.name, calls, statuses[0], statuses[1], statuses[3], statuses[4], statuses[5], statuses[6], statuses[14],
        calls - statuses[0] - statuses[1] - statuses[3] - statuses[4] - statuses[5] - statuses[6] - statuses[14]);
    poplar::println("{}: survived", info.name);
    return 0;
}
