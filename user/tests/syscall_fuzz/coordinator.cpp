// syscall_fuzz: runs the fuzzer. Spawns the workers (syscall_fuzz_worker), hands each its Orders
// and the objects they all share, collects their reports, and once every one has ended checks
// that the kernel is back where it started: no task of the run left, object counts and kernel
// heap exactly as before, frames within what the heap may keep cached. Prints
// "syscall_fuzz: survived ..." and exits 0 only if all of that holds.

#include <poplar/print.h>
#include <poplar/start.h>
#include <poplar/start_argument.h>

#include "fuzzer.h"
#include "options.h"

using namespace fuzz;

namespace {

constexpr u32 shared_channel_pairs = 3;
constexpr u32 shared_events = 2;
constexpr u64 millisecond = 1'000'000;
constexpr u64 second = 1000 * millisecond;
constexpr u64 soak_progress_every = 5 * second;
// Teardown finishes shortly after the last task ends; this is how long it may take.
constexpr u64 settle_time = 3 * second;
// Object counts and heap bytes must come back exactly. Frames may stay a little higher: the
// heap keeps one empty slab per size class (7), and page tables it made to map large blocks at
// addresses not used before stay (one per 2 MiB). Its cache of freed large blocks is filled
// before the baseline (fill_heap_cache), so that cannot grow.
constexpr u64 frame_tolerance = 7 + 32;
// kernel/mm/heap.cpp keeps up to this many freed blocks of each size from 1 to 17 pages.
constexpr u64 cached_blocks_per_size = 4;
constexpr u64 largest_cached_block_pages = 17;

constexpr u32 event_rights =
    abi::rights::duplicate | abi::rights::transfer | abi::rights::read | abi::rights::signal | abi::rights::wait;

struct Worker {
    HandleValue task = 0;
    HandleValue control = 0;
    Report last;
    bool ended = false;
    bool reported = false;  // its final Report arrived
    i64 status = 0;
};

struct Snapshot {
    abi::ObjectCounts counts{};
    abi::KernelMemoryUsage memory{};
};

Snapshot snapshot() {
    Snapshot now;
    (void)sys::raw(Syscall::debug_object_counts, sys::arg(&now.counts));
    (void)sys::raw(Syscall::debug_memory_usage, sys::arg(&now.memory));
    return now;
}

// Our handle table grows as we make handles and never shrinks: grow it before the baseline.
void grow_handle_table() {
    constexpr usize count = 96;
    HandleValue events[count] = {};
    for (HandleValue& event : events) event = sys::event_create().value_or(0);
    for (HandleValue event : events) (void)sys::handle_close(event);
}

// Fills the heap's cache of freed large blocks: for each size, that many messages of that size
// queued at once, then received (each message is one block: its bytes and a small header).
void fill_heap_cache() {
    static u8 buffer[abi::max_message_bytes];
    auto pair = sys::channel_create();
    if (pair.is_error()) return;
    for (u64 pages = 1; pages <= largest_cached_block_pages; ++pages) {
        u64 bytes = base::min(pages * abi::page_size - 256, abi::max_message_bytes);
        for (u64 i = 0; i < cached_blocks_per_size; ++i)
            (void)sys::channel_send(pair.value().first, buffer, bytes, nullptr, 0);
        for (u64 i = 0; i < cached_blocks_per_size; ++i)
            (void)sys::channel_receive(pair.value().second, buffer, sizeof(buffer), nullptr, 0, abi::deadline_now);
    }
    (void)sys::handle_close(pair.value().first);
    (void)sys::handle_close(pair.value().second);
}

struct SharedObjects {
    Shared handles;
    base::ErrorOr<void> create() {
        for (u32 i = 0; i < shared_channel_pairs; ++i) {
            auto pair = TRY(sys::channel_create());
            handles.channels[handles.channel_count++] = pair.first;
            handles.channels[handles.channel_count++] = pair.second;
        }
        for (u32 i = 0; i < shared_events; ++i) handles.events[handles.event_count++] = TRY(sys::event_create());
        return {};
    }
    void close() {
        for (u32 i = 0; i < handles.channel_count; ++i) (void)sys::handle_close(handles.channels[i]);
        for (u32 i = 0; i < handles.event_count; ++i) (void)sys::handle_close(handles.events[i]);
    }
};

base::ErrorOr<Worker> start_worker(const Options& options, u32 index, const Shared& shared) {
    Orders orders;
    orders.role = Role::fuzz;
    orders.seed = Random::mix(options.seed + index);
    orders.families = options.families;
    orders.index = index;
    orders.calls = options.calls / options.workers + (index < options.calls % options.workers ? 1 : 0);
    orders.progress_every = options.soak ? 1 << 16 : 0;
    // A channel end has one handle: the ends of each shared pair go to two neighbouring workers,
    // which then race each other on it. Each worker gets its own handles to the shared events.
    HandleValue attached[Shared::max_channels + Shared::max_events];
    u32 count = 0;
    for (u32 i = 0; i < shared.channel_count; ++i)
        if ((i / 2 + i % 2) % options.workers == index) attached[count++] = shared.channels[i];
    orders.shared_channels = count;
    for (u32 i = 0; i < shared.event_count; ++i)
        attached[count++] = TRY(sys::handle_duplicate(shared.events[i], event_rights));
    auto pair = TRY(sys::channel_create());
    TRY(sys::channel_send(pair.first, &orders, sizeof(orders), attached, count));
    HandleValue start[1] = {pair.second};
    auto task = sys::task_spawn(worker_module, sizeof(worker_module) - 1, start, 1);
    if (task.is_error()) {
        (void)sys::handle_close(pair.first);
        (void)sys::handle_close(pair.second);
        return task.error();
    }
    Worker worker;
    worker.task = task.value();
    worker.control = pair.first;
    return worker;
}

// Reads every Report waiting from `worker`.
void drain(Worker& worker) {
    for (;;) {
        Report report;
        HandleValue handles[abi::max_message_handles];
        auto received = sys::raw(Syscall::channel_receive, worker.control, sys::arg(&report), sizeof(report),
                                 sys::arg(handles), abi::max_message_handles, abi::deadline_now);
        if (!received.is_ok()) return;
        for (u64 i = 0; i < abi::message_handles_of(received.value); ++i) (void)sys::handle_close(handles[i]);
        if (abi::message_bytes_of(received.value) != sizeof(report) || report.magic != Report::magic_value) continue;
        worker.last = report;
        worker.reported |= report.final != 0;
    }
}

u64 calls_so_far(const Worker* workers, u32 count) {
    u64 calls = 0;
    for (u32 i = 0; i < count; ++i) calls += workers[i].last.calls;
    return calls;
}

// Waits until every worker has ended, reading their reports (and, in a soak, printing progress).
void run_workers(Worker* workers, u32 count, const Options& options, u64 start) {
    u64 next_progress = start + soak_progress_every;
    for (;;) {
        abi::WaitItem items[2 * Options::max_workers];
        u64 item_count = 0;
        for (u32 i = 0; i < count; ++i) {
            if (workers[i].ended) continue;
            items[item_count++] = {workers[i].control, abi::signals::readable, 0, 0};
            items[item_count++] = {workers[i].task, abi::signals::terminated, 0, 0};
        }
        if (item_count == 0) return;
        (void)sys::wait_many(items, item_count, sys::deadline_after(second));
        for (u32 i = 0; i < count; ++i) {
            Worker& worker = workers[i];
            if (worker.ended) continue;
            drain(worker);
            auto status = sys::task_wait(worker.task, abi::deadline_now);
            if (status.is_error()) continue;
            drain(worker);  // what it sent just before it ended
            worker.ended = true;
            worker.status = status.value();
        }
        u64 now = sys::clock_read();
        if (options.soak && now >= next_progress) {
            next_progress += soak_progress_every;
            u64 calls = calls_so_far(workers, count), elapsed = (now - start) / millisecond;
            poplar::println("syscall_fuzz: {} calls in {} s ({} calls/s)", calls, elapsed / 1000,
                            elapsed ? calls * 1000 / elapsed : 0);
        }
    }
}

void print_statuses(const Worker* workers, u32 count) {
    u64 totals[status_slots] = {};
    for (u32 i = 0; i < count; ++i)
        for (u32 s = 0; s < status_slots; ++s) totals[s] += workers[i].last.statuses[s];
    char line[512];
    base::BufferSink sink(line, sizeof(line));
    base::format(sink, "syscall_fuzz: answers: ok {}", totals[0]);
    for (u32 s = 1; s < known_statuses; ++s)
        if (totals[s]) base::format(sink, ", {} {}", base::error_name(static_cast<Error>(s)), totals[s]);
    if (totals[known_statuses]) base::format(sink, ", NOT A STATUS {}", totals[known_statuses]);
    poplar::println("{}", sink.view());
}

// Waits (a little) for teardown to bring the kernel back to `baseline`.
Snapshot settled(const Snapshot& baseline) {
    u64 give_up = sys::clock_read() + settle_time;
    Snapshot now = snapshot();
    while (sys::clock_read() < give_up) {
        bool back = now.counts == baseline.counts && now.memory.heap_bytes == baseline.memory.heap_bytes &&
                    now.memory.frames_in_use <= baseline.memory.frames_in_use + frame_tolerance;
        if (back) break;
        (void)sys::sleep(sys::deadline_after(10 * millisecond));
        now = snapshot();
    }
    return now;
}

// Prints what was checked; true if the kernel is back where it started.
bool check_kernel(const Snapshot& before, const Snapshot& after) {
    const auto& b = before.counts;
    const auto& a = after.counts;
    bool counts_back = a == b;
    poplar::println(
        "syscall_fuzz: {}: object counts back to the baseline: tasks {} -> {}, threads {} -> {}, address spaces {} "
        "-> {}, memory objects {} -> {}, channel ends {} -> {}, events {} -> {}",
        counts_back ? "checked" : "FAILED", b.tasks, a.tasks, b.threads, a.threads, b.address_spaces, a.address_spaces,
        b.memory_objects, a.memory_objects, b.channels, a.channels, b.events, a.events);
    bool heap_back = after.memory.heap_bytes == before.memory.heap_bytes;
    bool frames_back = after.memory.frames_in_use <= before.memory.frames_in_use + frame_tolerance;
    poplar::println(
        "syscall_fuzz: {}: kernel memory back: heap {} -> {} bytes (exact), frames {} -> {} (up to {} more may be "
        "heap slabs and page tables)",
        heap_back && frames_back ? "checked" : "FAILED", before.memory.heap_bytes, after.memory.heap_bytes,
        before.memory.frames_in_use, after.memory.frames_in_use, frame_tolerance);
    return counts_back && heap_back && frames_back;
}

// Prints what each worker's end says; true if all ended well.
bool check_workers(const Worker* workers, u32 count) {
    bool all_well = true;
    u64 failures = 0;
    for (u32 i = 0; i < count; ++i) {
        failures += workers[i].last.failures;
        if (workers[i].status == 0 && workers[i].reported) continue;
        all_well = false;
        poplar::println("syscall_fuzz: FAILED: worker {} ended with status {}{}", i, workers[i].status,
                        workers[i].reported ? "" : " before its final report");
    }
    poplar::println("syscall_fuzz: {}: {} workers ended (status 0 each), {} rules broken",
                    all_well ? "checked" : "FAILED", count, failures);
    return all_well && failures == 0;
}

}  // namespace

int main(const abi::StartInfo& start_info) {
    char argument[abi::StartInfo::max_arguments] = {};
    Options options;
    base::StringView bad_word;
    if (!parse_options(poplar::start_argument(start_info, argument, sizeof(argument)), options, bad_word)) {
        poplar::println("syscall_fuzz: bad option \"{}\" (soak, seed=N, families=SPEC, workers=N, calls=N)", bad_word);
        return 2;
    }
    char families[160];
    poplar::println("syscall_fuzz: seed {:#x}, families {}, {} workers, {} calls{}", options.seed,
                    describe_families(options.families, families, sizeof(families)), options.workers, options.calls,
                    options.soak ? " (soak)" : "");

    grow_handle_table();
    fill_heap_cache();
    Snapshot baseline = snapshot();
    u64 start = sys::clock_read();

    SharedObjects shared;
    if (auto created = shared.create(); created.is_error()) {
        poplar::println("syscall_fuzz: cannot create the shared objects: {}", base::error_name(created.error()));
        return 1;
    }
    Worker workers[Options::max_workers];
    u32 started = 0;
    for (; started < options.workers; ++started) {
        auto worker = start_worker(options, started, shared.handles);
        if (worker.is_error()) {
            poplar::println("syscall_fuzz: cannot start worker {}: {}", started, base::error_name(worker.error()));
            break;
        }
        workers[started] = worker.release_value();
    }
    run_workers(workers, started, options, start);
    u64 elapsed = (sys::clock_read() - start) / millisecond;

    for (u32 i = 0; i < started; ++i) {
        (void)sys::handle_close(workers[i].control);
        (void)sys::handle_close(workers[i].task);
    }
    shared.close();
    (void)sys::debug_kernel_work(0, abi::work_account::kernel);  // anything a worker left running

    print_statuses(workers, started);
    bool workers_well = started == options.workers && check_workers(workers, started);
    bool kernel_back = check_kernel(baseline, settled(baseline));
    u64 calls = calls_so_far(workers, started);
    if (!workers_well || !kernel_back) {
        poplar::println("syscall_fuzz: FAILED after {} calls in {} ms", calls, elapsed);
        return 1;
    }
    poplar::println("syscall_fuzz: survived {} calls by {} workers in {} ms ({} calls/s)", calls, started, elapsed,
                    elapsed ? calls * 1000 / elapsed : 0);
    return 0;
}
