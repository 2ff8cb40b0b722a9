// The fair scheduler, measured in QEMU: equal shares, weighted shares, a task flooding the kernel
// with async work or a kernel service with requests, kernel housekeeping against user tasks, and wake-up latency under
// load. Each check prints its figures and `ok NAME` or a FAIL line, like the other user tests.
//
// The bounds leave room for the host: without -icount, guest time is host time, and a stall of
// the emulator on a busy host is charged to whichever task was running. With -icount shift=0
// (qemu.sched.icount) the figures are exact and sit far inside the bounds.

#include <base/utility.h>
#include <poplar/channel.h>
#include <poplar/print.h>
#include <poplar/task.h>
#include "../tests/test.h"

using namespace poplar;
using base::Error;

namespace {

constexpr u64 window = 1'000'000'000;  // measurement window: 1 s of guest time
constexpr u64 warm_up = 100'000'000;

u64 total_nanoseconds(const abi::CpuTime& time) {
    return time.user_nanoseconds + time.kernel_nanoseconds + time.kernel_work_nanoseconds;
}

void sleep_for(u64 nanoseconds) { (void)sys::sleep(sys::clock_read() + nanoseconds); }

struct Group {
    static constexpr usize max = 4;
    Task tasks[max];
    u64 cpu[max] = {};
    usize count = 0;

    bool spawn(base::StringView module, u64 weight = abi::default_weight) {
        auto task = Task::spawn(module);
        if (task.is_error()) return false;
        if (task.value().set_weight(weight).is_error()) return false;
        tasks[count++] = base::move(task.value());
        return true;
    }

    // CPU each task received during one window.
    void measure() {
        sleep_for(warm_up);
        u64 before[max];
        for (usize i = 0; i < count; ++i) before[i] = total_nanoseconds(tasks[i].cpu_time().value());
        sleep_for(window);
        for (usize i = 0; i < count; ++i) cpu[i] = total_nanoseconds(tasks[i].cpu_time().value()) - before[i];
    }

    u64 total() const {
        u64 sum = 0;
        for (usize i = 0; i < count; ++i) sum += cpu[i];
        return sum;
    }

    // Share of task i in thousandths.
    u64 share(usize i) const { return cpu[i] * 1000 / total(); }

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

}  // namespace

USER_TEST(equal_weights_get_equal_shares) {
    Group group;
    for (int i = 0; i < 3; ++i) EXPECT(group.spawn("spinner"));
    group.measure();
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
    group.measure();
    // Ratios in hundredths: ideally 200 and 400.
    u64 ratio_two = group.cpu[1] * 100 / group.cpu[0];
    u64 ratio_four = group.cpu[2] * 100 / group.cpu[0];
    println("sched weighted_shares weights=1:2:4 ratios=1:{}.{:02}:{}.{:02}", ratio_two / 100, ratio_two % 100,
            ratio_four / 100, ratio_four % 100);
    EXPECT(ratio_two >= 176 && ratio_two <= 224);
    EXPECT(ratio_four >= 352 && ratio_four <= 448);
}

USER_TEST(a_task_flooding_the_kernel_gets_only_its_share) {
    Group group;
    EXPECT(group.spawn("flooder"));
    EXPECT(group.spawn("spinner"));
    EXPECT(group.spawn("spinner"));
    group.measure();
    auto flooder = group.tasks[0].cpu_time().value();
    println("sched flood shares={}/{}/{} permille flooder_kernel_work_ms={}", group.share(0), group.share(1),
            group.share(2), flooder.kernel_work_nanoseconds / 1'000'000);
    EXPECT(flooder.kernel_work_nanoseconds > 0);
    for (usize i = 0; i < 3; ++i) EXPECT(group.share(i) >= 270 && group.share(i) <= 400);
}

// The same with real work: a task asking kernel.time for the time as fast as it can. Its session
// runs on its own work queue, so the kernel's work for it is a large part of its time, and all of
// it counts against its share.
USER_TEST(a_task_flooding_a_kernel_service_gets_only_its_share) {
    Group group;
    EXPECT(group.spawn("service_flooder"));
    EXPECT(group.spawn("spinner"));
    EXPECT(group.spawn("spinner"));
    group.measure();
    auto flooder = group.tasks[0].cpu_time().value();
    u64 work_part = flooder.kernel_work_nanoseconds * 1000 / base::max<u64>(1, total_nanoseconds(flooder));
    println("sched service_flood shares={}/{}/{} permille flooder_kernel_work={} permille of its time", group.share(0),
            group.share(1), group.share(2), work_part);
    EXPECT(work_part >= 250);
    for (usize i = 0; i < 3; ++i) EXPECT(group.share(i) >= 270 && group.share(i) <= 400);
}

USER_TEST(two_tasks_flooding_the_kernel_at_once_each_get_their_share) {
    // Two work queues' workers preempt each other in the middle of polls.
    Group group;
    EXPECT(group.spawn("flooder"));
    EXPECT(group.spawn("flooder"));
    EXPECT(group.spawn("spinner"));
    group.measure();
    println("sched double_flood shares={}/{}/{} permille", group.share(0), group.share(1), group.share(2));
    for (usize i = 0; i < 3; ++i) EXPECT(group.share(i) >= 270 && group.share(i) <= 400);
}

USER_TEST(kernel_housekeeping_and_user_tasks_share_fairly) {
    Group group;
    EXPECT(group.spawn("spinner"));
    EXPECT(group.spawn("spinner"));
    EXPECT_OK(sys::debug_kernel_work(100000, abi::work_account::kernel));
    sleep_for(warm_up);
    u64 kernel_before = sys::debug_scheduler_statistics().value().kernel_nanoseconds;
    group.measure();
    u64 kernel = sys::debug_scheduler_statistics().value().kernel_nanoseconds - kernel_before;
    // measure() includes a warm-up; compare rates over the window only.
    u64 users = group.total();
    u64 kernel_share = kernel * 1000 / (kernel + users);
    println("sched housekeeping kernel_share={} permille user_shares={}/{} permille", kernel_share,
            group.cpu[0] * 1000 / (kernel + users), group.cpu[1] * 1000 / (kernel + users));
    EXPECT_OK(sys::debug_kernel_work(0, abi::work_account::kernel));
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
