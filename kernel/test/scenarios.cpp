// Boot scenarios for the QEMU integration tests (tests/qemu). Each one prints what it checked and
// ends the run with a passing or failing status.

#include <arch/arch.h>
#include <arch/timer.h>
#include <boot/boot_info.h>
#include <debug/log.h>
#include <mm/heap.h>
#include <mm/physical_memory.h>
#include <object/task.h>
#include <sched/scheduler.h>
#include <sched/work_queue.h>
#include <test/executor_benchmark.h>
#include <test/kernel_test.h>
#include <test/scenarios.h>
#include <time/clock.h>

namespace test {
namespace {

bool boot_scenario() {
    log::info("scenario boot: reached the end of kernel start-up");
    return true;
}

[[gnu::noinline]] void trigger_page_fault_on_purpose() {
    log::info("scenario page_fault: writing to unmapped address 0xdead000");
    *reinterpret_cast<volatile u64*>(0xdead000) = 1;
}

bool page_fault_scenario() {
    trigger_page_fault_on_purpose();
    log::error("scenario page_fault: the write did not fault");
    return false;
}

// The same from a kernel thread, whose stack is on the heap: the report's backtrace must walk it.
[[gnu::noinline]] void fault_in_kernel_thread() {
    log::info("scenario thread_fault: writing to unmapped address 0xdead000 from a kernel thread");
    *reinterpret_cast<volatile u64*>(0xdead000) = 1;
}

[[gnu::noinline]] void thread_fault_worker(void*) {
    fault_in_kernel_thread();
    log::error("scenario thread_fault: the write did not fault");
    arch::shut_down(false);
}

// Starts the scheduler with `function` on a kernel thread of its own; the run ends there.
[[noreturn]] void run_in_kernel_thread(const char* name, void (*function)(void*)) {
    sched::initialize();
    auto thread = MUST(Thread::create_kernel(name, function, nullptr, sched::kernel_group()));
    sched::make_runnable(*thread.leak());
    sched::start();
}

bool thread_fault_scenario() { run_in_kernel_thread("faulter", thread_fault_worker); }

// Recurses until the kernel stack runs out: the guard page below it must stop it.
[[gnu::noinline]] u64 use_stack_without_end(u64 depth) {
    volatile u8 frame[512];
    frame[0] = u8(depth);
    if (depth == ~u64(0)) return 0;  // never true; keeps the recursion from looking endless
    return use_stack_without_end(depth + 1) + frame[0];
}

void stack_overflow_worker(void*) {
    log::info("scenario stack_overflow: recursing on a {} KiB kernel stack", Thread::kernel_stack_size / 1024);
    u64 result = use_stack_without_end(0);
    log::error("scenario stack_overflow: the recursion ended ({})", result);
    arch::shut_down(false);
}

bool stack_overflow_scenario() { run_in_kernel_thread("stack_hog", stack_overflow_worker); }

// Halts until the tick count reaches `target` (each tick is an interrupt that wakes the CPU).
void wait_for_ticks(u64 target) {
    while (time::timer_ticks() < target) arch::wait_for_interrupt();
}

bool timer_scenario() {
    constexpr u64 period = 10'000'000;  // 100 Hz
    constexpr u64 expected_ticks = 50;
    u64 first = time::timer_ticks();
    arch::timer_start_periodic(period);
    wait_for_ticks(first + 1);
    u64 start_ns = time::monotonic_nanoseconds();
    u64 start_ticks = time::timer_ticks();
    wait_for_ticks(start_ticks + expected_ticks);
    u64 elapsed = time::monotonic_nanoseconds() - start_ns;
    arch::timer_stop();
    u64 rate_millihertz = expected_ticks * 1'000'000'000'000ull / elapsed;
    log::info("scenario timer: {} periodic ticks in {} us: {}.{:03} Hz (expected 100 Hz)", expected_ticks,
              elapsed / 1000, rate_millihertz / 1000, rate_millihertz % 1000);
    bool periodic_ok = rate_millihertz >= 80'000 && rate_millihertz <= 125'000;

    constexpr u64 delay = 30'000'000;
    u64 before = time::timer_ticks();
    u64 one_shot_start = time::monotonic_nanoseconds();
    arch::timer_start_one_shot(delay);
    wait_for_ticks(before + 1);
    u64 one_shot_elapsed = time::monotonic_nanoseconds() - one_shot_start;
    log::info("scenario timer: one-shot of 30000 us fired after {} us", one_shot_elapsed / 1000);
    bool one_shot_ok = one_shot_elapsed >= delay * 8 / 10 && one_shot_elapsed <= delay * 3 / 2;

    // No stray tick after a one-shot.
    u64 after = time::timer_ticks();
    u64 idle_until = time::monotonic_nanoseconds() + 2 * delay;
    while (time::monotonic_nanoseconds() < idle_until) asm volatile("pause");
    bool single_shot = time::timer_ticks() == after;
    log::info("scenario timer: periodic {}, one-shot {}, no extra tick {}", periodic_ok, one_shot_ok, single_shot);
    return periodic_ok && one_shot_ok && single_shot;
}

u64 xorshift(u64& state) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

bool heap_stress_mixed_sizes() {
    constexpr usize slots = 512;
    static u8* blocks[slots];
    static usize sizes[slots];
    u64 random = 0x9e3779b97f4a7c15ull;
    for (usize round = 0; round < 20000; ++round) {
        usize slot = xorshift(random) % slots;
        if (blocks[slot]) {
            for (usize i = 0; i < sizes[slot]; ++i)
                if (blocks[slot][i] != u8(slot + i)) {
                    log::error("scenario heap: block {} corrupted at byte {}", slot, i);
                    return false;
                }
            mm::free(blocks[slot]);
            blocks[slot] = nullptr;
            continue;
        }
        usize size = xorshift(random) % 4 == 0 ? xorshift(random) % 40000 + 1 : xorshift(random) % 1024 + 1;
        auto* block = static_cast<u8*>(mm::allocate(size));
        if (!block || reinterpret_cast<u64>(block) % mm::heap_alignment) {
            log::error("scenario heap: allocation of {} bytes failed or misaligned", size);
            return false;
        }
        for (usize i = 0; i < size; ++i) block[i] = u8(slot + i);
        blocks[slot] = block;
        sizes[slot] = size;
    }
    for (auto*& block : blocks) mm::free(base::exchange(block, nullptr));
    return true;
}

// Allocates 1 MiB blocks until the heap says no, then frees them all: the failure is an ordinary
// null, and everything comes back. Returns the number of blocks, or 0 on a problem.
usize exhaust_heap_once() {
    constexpr usize block_size = 1 << 20;
    constexpr usize max_blocks = 4096;
    static void* blocks[max_blocks];
    usize count = 0;
    while (count < max_blocks) {
        void* block = mm::allocate(block_size);
        if (!block) break;
        blocks[count++] = block;
    }
    bool huge_refused = mm::allocate(usize(1) << 40) == nullptr;
    for (usize i = 0; i < count; ++i) mm::free(blocks[i]);
    return huge_refused && count < max_blocks ? count : 0;
}

// The first exhaustion also builds the heap region's page tables, which stay; after that, every
// cycle must give back exactly what it took.
bool heap_exhaustion() {
    usize first = exhaust_heap_once();
    u64 free_after_first = mm::frame_counts().free;
    usize second = exhaust_heap_once();
    u64 free_after_second = mm::frame_counts().free;
    void* again = mm::allocate(1 << 20);
    mm::free(again);
    log::info("scenario heap: {} MiB then {} MiB allocated before NoMemory; free frames {} then {}; reusable {}", first,
              second, free_after_first, free_after_second, again != nullptr);
    return first > 16 && second == first && free_after_second == free_after_first && again;
}

bool heap_scenario() {
    auto before = mm::heap_statistics();
    bool mixed = heap_stress_mixed_sizes();
    bool exhausted = heap_exhaustion();
    auto after = mm::heap_statistics();
    log::info("scenario heap: live allocations {} -> {}, large pages {} -> {}, failed allocations {}",
              before.live_allocations, after.live_allocations, before.large_pages, after.large_pages,
              after.failed_allocations);
    return mixed && exhausted && after.live_allocations == before.live_allocations &&
           after.large_pages == before.large_pages && after.failed_allocations > before.failed_allocations;
}

u64 fnv1a(base::ReadonlyBytes bytes) {
    u64 hash = 0xcbf29ce484222325ull;
    for (u8 byte : bytes) hash = (hash ^ byte) * 0x100000001b3ull;
    return hash;
}

bool modules_scenario() {
    const auto& modules = boot::boot_info().module_list();
    log::info("scenario modules: {} boot modules", modules.size());
    for (const boot::Module& module : modules)
        log::info("module {} size {} fnv1a {:#018x}", module.name, module.size, fnv1a(boot::module_contents(module)));
    return modules.size() > 0;
}

struct Scenario {
    base::StringView name;
    bool (*run)();
};

const Scenario scenarios[] = {
    {"boot", boot_scenario},
    {"page_fault", page_fault_scenario},
    {"thread_fault", thread_fault_scenario},
    {"stack_overflow", stack_overflow_scenario},
    {"timer", timer_scenario},
    {"heap", heap_scenario},
    {"modules", modules_scenario},
    {"ktest", ktest::run_all},
    {"bench_executor", executor_benchmark},
    {"bench_services", service_benchmark},
};

}  // namespace

void run_scenario(base::StringView name) {
    for (const Scenario& scenario : scenarios) {
        if (!(scenario.name == name)) continue;
        bool passed = scenario.run();
        log::info("scenario {}: {}", scenario.name, passed ? "PASSED" : "FAILED");
        arch::shut_down(passed);
    }
}

}  // namespace test
