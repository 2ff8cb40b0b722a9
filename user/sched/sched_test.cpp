// The fair scheduler, measured in QEMU: equal shares, weighted shares, a task flooding its
// asynchronous system-call ring with real operations or a kernel service with requests, kernel
// housekeeping against user tasks, and wake-up latency under load. Each check prints its figures
// and `ok NAME` or a FAIL line, like the other user tests; each measured window also prints its
// time series (each task's CPU time per 10 ms: `sched series` and `sched sample` lines), which
// tools/fairness_chart.sh draws.
//
// The bounds leave room for the host: without -icount, guest time is host time, and a stall of
// the emulator on a busy host is charged to whichever task was running. With -icount shift=0
// (qemu.sched.icount) the figures are exact and sit far inside the bounds.

#include <base/utility.h>
#include <poplar/channel.h>
#include <poplar/print.h>
#include <poplar/task.h>
#include "../tests/test.h"
#include "ring_flood.h"

using namespace poplar;
using base::Error;

namespace {

constexpr u64 window = 1'000'000'000;  // measurement window: 1 s of guest time
constexpr u64 warm_up = 100'000'000;
constexpr u64 interval = 10'000'000;  // the time series' step
constexpr usize intervals = window / interval;

u64 total_nanoseconds(const abi::CpuTime& time) {
    return time.user_nanoseconds + time.kernel_nanoseconds + time.kernel_work_nanoseconds;
}

void sleep_for(u64 nanoseconds) { (void)sys::sleep(sys::clock_read() + nanoseconds); }

// A comma-separated list, for the series lines.
struct List {
    char text[64];
    usize length = 0;

    template <typename T>
    void add(const T& item) {
        length += base::format_to(text + length, sizeof(text) - length, "{}{}", length ? "," : "", item).length();
    }
    base::StringView view() const { return {text, length}; }
};

struct Group {
    static constexpr usize max = 4;
    Task tasks[max];
    base::StringView names[max];
    u64 weights[max] = {};
    u64 cpu[max] = {};
    u64 elapsed = 0;  // the window's length as measured, in nanoseconds
    usize count = 0;
    bool with_kernel = false;  // the series also shows the kernel group's CPU time
    u64 kernel = 0;            // ... and its total over the window

    // Each task's CPU time, and the part of it its work queue did, in each interval of the window.
    struct Sample {
        u64 cpu[max + 1];  // the kernel group last, when shown
        u64 work[max + 1];
    };
    static inline Sample series[intervals];

    bool spawn(base::StringView module, u64 weight = abi::default_weight, base::Span<Handle> handles = {}) {
        auto task = Task::spawn(module, handles);
        if (task.is_error()) return false;
        if (task.value().set_weight(weight).is_error()) return false;
        names[count] = module;
        weights[count] = weight;
        tasks[count++] = base::move(task.value());
        return true;
    }

    // CPU each task received during one window, after a warm-up.
    void measure(base::StringView scenario) {
        sleep_for(warm_up);
        measure_window(scenario);
    }

    // Samples every task each interval (sleeping until absolute deadlines, so the steps do not
    // drift), then prints the series.
    void measure_window(base::StringView scenario) {
        abi::CpuTime start[max], last[max];
        for (usize i = 0; i < count; ++i) start[i] = last[i] = tasks[i].cpu_time().value();
        u64 kernel_start = kernel_nanoseconds(), kernel_last = kernel_start;
        u64 begin = sys::clock_read();
        for (usize step = 0; step < intervals; ++step) {
            (void)sys::sleep(begin + (step + 1) * interval);
            for (usize i = 0; i < count; ++i) {
                auto now = tasks[i].cpu_time().value();
                series[step].cpu[i] = total_nanoseconds(now) - total_nanoseconds(last[i]);
                series[step].work[i] = now.kernel_work_nanoseconds - last[i].kernel_work_nanoseconds;
                last[i] = now;
            }
            u64 kernel_now = kernel_nanoseconds();
            series[step].cpu[count] = kernel_now - kernel_last;
            series[step].work[count] = 0;
            kernel_last = kernel_now;
        }
        kernel = kernel_last - kernel_start;
        elapsed = sys::clock_read() - begin;
        for (usize i = 0; i < count; ++i) cpu[i] = total_nanoseconds(last[i]) - total_nanoseconds(start[i]);
        print_series(scenario);
    }

    u64 kernel_nanoseconds() const {
        return with_kernel ? sys::debug_scheduler_statistics().value().kernel_nanoseconds : 0;
    }

    // `sched series NAME tasks=A,B,C weights=A,B,C interval_us=N`, then per interval
    // `sched sample NAME t_ms=T cpu_us=A,B,C work_us=A,B,C` (the interval ending at T).
    void print_series(base::StringView scenario) const {
        usize columns = count + (with_kernel ? 1 : 0);
        List task_names, task_weights;
        for (usize i = 0; i < columns; ++i) {
            task_names.add(i < count ? names[i] : base::StringView("kernel"));
            task_weights.add(i < count ? weights[i] : abi::default_weight);  // the kernel's group: the default
        }
        println("sched series {} tasks={} weights={} interval_us={}", scenario, task_names.view(), task_weights.view(),
                interval / 1000);
        for (usize step = 0; step < intervals; ++step) {
            List cpu, work;
            for (usize i = 0; i < columns; ++i) {
                cpu.add(series[step].cpu[i] / 1000);
                work.add(series[step].work[i] / 1000);
            }
            println("sched sample {} t_ms={} cpu_us={} work_us={}", scenario, (step + 1) * interval / 1'000'000,
                    cpu.view(), work.view());
        }
    }

    u64 total() const {
        u64 sum = 0;
        for (usize i = 0; i < count; ++i) sum += cpu[i];
        return sum;
    }

    // Share of task i in thousandths: of the group's CPU time, and of the CPU (the window).
    u64 share(usize i) const { return cpu[i] * 1000 / total(); }
    u64 share_of_cpu(usize i) const { return cpu[i] * 1000 / base::max<u64>(1, elapsed); }

    ~Group() {
        for (usize i = 0; i < count; ++i) {
            (void)tasks[i].kill();
            (void)tasks[i].wait();
        }
    }
};

// Jain's fairness index of CPU times in nanoseconds, in thousandths: (sum x)^2 / (n * sum x^2).
// Computed in microseconds so that it fits in 64 bits for windows of a few seconds.
u64 jain_index(const u64* nanoseconds, usize count) {
    u64 sum = 0, squares = 0;
    for (usize i = 0; i < count; ++i) {
        u64 microseconds = nanoseconds[i] / 1000;
        sum += microseconds;
        squares += microseconds * microseconds;
    }
    return squares ? sum * sum * 1000 / (count * squares) : 0;
}

// A ring_flooder's counts, asked for over its channel (it answers after its current round).
base::ErrorOr<sched_test::RingFloodCounts> flood_counts(const Channel& flooder) {
    u8 request = 0;
    TRY(flooder.send(base::ReadonlyBytes(&request, 1)));
    sched_test::RingFloodCounts counts{};
    auto received = TRY(
        flooder.receive(base::Bytes(reinterpret_cast<u8*>(&counts), sizeof(counts)), {}, sys::deadline_after(window)));
    if (received.bytes != sizeof(counts)) return Error::InvalidArgument;
    return counts;
}

// Operations a ring_flooder completed between two answers; 0 if it did not answer.
u64 completed_between(const base::ErrorOr<sched_test::RingFloodCounts>& before,
                      const base::ErrorOr<sched_test::RingFloodCounts>& after) {
    if (before.is_error() || after.is_error()) return 0;
    return after.value().since(before.value()).completed;
}

}  // namespace

USER_TEST(equal_weights_get_equal_shares) {
    Group group;
    for (int i = 0; i < 3; ++i) EXPECT(group.spawn("spinner"));
    group.measure("equal_shares");
    u64 index = jain_index(group.cpu, group.count);
    println("sched equal_shares jain_index={}.{:03} shares={}/{}/{} permille", index / 1000, index % 1000,
            group.share(0), group.share(1), group.share(2));
    EXPECT(index >= 980);
}

USER_TEST(weights_one_two_four_give_shares_in_that_ratio) {
    Group group;
    // A task gives at most its own limit (the default, for a child of init): 25:50:100.
    EXPECT(group.spawn("spinner", 25));
    EXPECT(group.spawn("spinner", 50));
    EXPECT(group.spawn("spinner", 100));
    group.measure("weighted_shares");
    // Ratios in hundredths: ideally 200 and 400.
    u64 ratio_two = group.cpu[1] * 100 / group.cpu[0];
    u64 ratio_four = group.cpu[2] * 100 / group.cpu[0];
    println("sched weighted_shares weights=1:2:4 ratios=1:{}.{:02}:{}.{:02}", ratio_two / 100, ratio_two % 100,
            ratio_four / 100, ratio_four % 100);
    EXPECT(ratio_two >= 176 && ratio_two <= 224);
    EXPECT(ratio_four >= 352 && ratio_four <= 448);
}

// A task flooding its ring with real asynchronous operations (ring_flooder.cpp): each round nearly
// two hundred waits on an event, woken together, and timeouts woken by the timer, all jobs on its
// own work queue, beside two spinners. It gets 339/330/330 permille under -icount. The bounds sit
// where a wrong implementation lands: with its jobs run in the kernel's group, the flooder took
// 459 permille of the three and each spinner 269 of the CPU; with its work queue's worker in a
// group of its own, 466 and 266 (both measured by changing the kernel that way). The kernel work
// bound holds the flood to real work: 417 permille of the flooder's time.
USER_TEST(a_task_flooding_its_ring_with_async_operations_gets_only_its_share) {
    Group group;
    auto pair = Channel::create();
    EXPECT(pair.is_ok());
    if (pair.is_error()) return;
    Handle moved[] = {base::move(pair.value().second)};
    EXPECT(group.spawn("ring_flooder", abi::default_weight, moved));
    EXPECT(group.spawn("spinner"));
    EXPECT(group.spawn("spinner"));
    sleep_for(warm_up);
    auto work_before = group.tasks[0].cpu_time().value();
    auto before = flood_counts(pair.value().first);
    group.measure_window("ring_flood");
    auto after = flood_counts(pair.value().first);
    auto work_after = group.tasks[0].cpu_time().value();
    EXPECT(before.is_ok() && after.is_ok());
    if (before.is_error() || after.is_error()) return;
    u64 work = work_after.kernel_work_nanoseconds - work_before.kernel_work_nanoseconds;
    u64 work_part = work * 1000 / base::max<u64>(1, total_nanoseconds(work_after) - total_nanoseconds(work_before));
    auto flood = after.value().since(before.value());
    println(
        "sched ring_flood shares={}/{}/{} permille of_cpu={}/{}/{} permille flooder_kernel_work={} permille of its "
        "time operations={} ok={} cancelled={} refused={} rounds={}",
        group.share(0), group.share(1), group.share(2), group.share_of_cpu(0), group.share_of_cpu(1),
        group.share_of_cpu(2), work_part, flood.completed, flood.ok, flood.cancelled, flood.refused, flood.rounds);
    EXPECT(flood.completed >= 1000);
    EXPECT(work_part >= 250);
    for (usize i = 0; i < 3; ++i) EXPECT(group.share(i) >= 270 && group.share(i) <= 400);
    for (usize i = 1; i < 3; ++i) EXPECT(group.share_of_cpu(i) >= 280);
}

// The same with real work: a task asking kernel.time for the time as fast as it can. Its session
// runs on its own work queue, so the kernel's work for it is a large part of its time, and all of
// it counts against its share.
USER_TEST(a_task_flooding_a_kernel_service_gets_only_its_share) {
    Group group;
    EXPECT(group.spawn("service_flooder"));
    EXPECT(group.spawn("spinner"));
    EXPECT(group.spawn("spinner"));
    group.measure("service_flood");
    auto flooder = group.tasks[0].cpu_time().value();
    u64 work_part = flooder.kernel_work_nanoseconds * 1000 / base::max<u64>(1, total_nanoseconds(flooder));
    println("sched service_flood shares={}/{}/{} permille flooder_kernel_work={} permille of its time", group.share(0),
            group.share(1), group.share(2), work_part);
    EXPECT(work_part >= 250);
    for (usize i = 0; i < 3; ++i) EXPECT(group.share(i) >= 270 && group.share(i) <= 400);
}

USER_TEST(two_tasks_flooding_their_rings_at_once_each_get_their_share) {
    // Two work queues' workers preempt each other in the middle of polls.
    Group group;
    Channel reports[2];
    for (auto& report : reports) {
        auto pair = Channel::create();
        EXPECT(pair.is_ok());
        if (pair.is_error()) return;
        report = base::move(pair.value().first);
        Handle moved[] = {base::move(pair.value().second)};
        EXPECT(group.spawn("ring_flooder", abi::default_weight, moved));
    }
    EXPECT(group.spawn("spinner"));
    sleep_for(warm_up);
    auto before_first = flood_counts(reports[0]), before_second = flood_counts(reports[1]);
    group.measure_window("double_ring_flood");
    u64 first = completed_between(before_first, flood_counts(reports[0]));
    u64 second = completed_between(before_second, flood_counts(reports[1]));
    println("sched double_ring_flood shares={}/{}/{} permille operations={}/{}", group.share(0), group.share(1),
            group.share(2), first, second);
    EXPECT(first >= 1000 && second >= 1000);
    for (usize i = 0; i < 3; ++i) EXPECT(group.share(i) >= 270 && group.share(i) <= 400);
}

// The kernel's own work queue against two spinners. No user request makes the kernel work on
// its own account for long (that would be a hole in fairness), so this takes debug_kernel_work,
// allowed by the debug=kernel_work boot option.
USER_TEST(kernel_housekeeping_and_user_tasks_share_fairly) {
    Group group;
    group.with_kernel = true;
    EXPECT(group.spawn("spinner"));
    EXPECT(group.spawn("spinner"));
    EXPECT_OK(sys::debug_kernel_work(100000, abi::work_account::kernel));
    sleep_for(warm_up);
    group.measure_window("housekeeping");
    EXPECT_OK(sys::debug_kernel_work(0, abi::work_account::kernel));
    u64 kernel = group.kernel, users = group.total();
    u64 kernel_share = kernel * 1000 / (kernel + users);
    println("sched housekeeping kernel_share={} permille user_shares={}/{} permille", kernel_share,
            group.cpu[0] * 1000 / (kernel + users), group.cpu[1] * 1000 / (kernel + users));
    EXPECT(kernel_share >= 220 && kernel_share <= 450);
    for (usize i = 0; i < 2; ++i) EXPECT(group.cpu[i] * 1000 / (kernel + users) >= 250);
}

USER_TEST(a_sleeper_wakes_promptly_under_full_load) {
    Group group;
    for (int i = 0; i < 3; ++i) EXPECT(group.spawn("spinner"));
    auto pair = Channel::create();
    EXPECT(pair.is_ok());
    Handle moved[] = {base::move(pair.value().second)};
    auto sleeper = Task::spawn("sleeper", moved);
    EXPECT(sleeper.is_ok());
    constexpr usize samples = 100;
    u64 late[samples];
    for (usize i = 0; i < samples; ++i) {
        auto received = pair.value().first.receive(base::Bytes(reinterpret_cast<u8*>(&late[i]), sizeof(late[i])), {},
                                                   sys::clock_read() + window);
        EXPECT(received.is_ok());
        if (received.is_error()) return;
    }
    for (usize i = 1; i < samples; ++i)
        for (usize j = i; j > 0 && late[j] < late[j - 1]; --j) base::swap(late[j], late[j - 1]);
    u64 median = late[samples / 2], p99 = late[samples * 99 / 100];
    println("sched wakeup_latency_us median={} p99={} load=3_spinners", median / 1000, p99 / 1000);
    (void)sleeper.value().kill();
    (void)sleeper.value().wait();
    // The median shows the kernel's own latency; the p99 bound also absorbs host stalls, which
    // without -icount count as guest time (with -icount both are well under a microsecond).
    EXPECT(median < 5'000'000);
    EXPECT(p99 < 50'000'000);
}

int main(const abi::StartInfo& info) { return usertest::run_all_tests(info.name); }
