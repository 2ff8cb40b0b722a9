// A task that tries to get more than its share by making the kernel do asynchronous work for it
// through its system-call ring. Each round it queues a batch of real operations and submits them
// with one ring_enter: waits on an event (each a job on its work queue), cancels for some of them,
// timeouts a few microseconds to half a millisecond ahead (a job each, woken by the timer
// interrupt) and no-ops. Then it signals the event, so that nearly two hundred jobs wake at once,
// and yields until every completion is in (its own worker, in its group, runs the jobs). It is
// always runnable, so a fair scheduler gives it exactly one share, the jobs included.
//
// Asked over the channel it was given (handle 0), it answers with its counts (ring_flood.h).

#include <base/error.h>
#include <poplar/channel.h>
#include <poplar/event.h>
#include <poplar/start.h>
#include <poplar/syscall.h>

#include "../tests/ring.h"
#include "ring_flood.h"

using namespace poplar;

namespace {

constexpr u32 ring_entries = 512;
constexpr u32 waits = 192;    // jobs woken together by one event_signal
constexpr u32 cancels = 16;   // aimed at the first waits
constexpr u32 timeouts = 48;  // jobs woken by the timer, one every 10 us
constexpr u32 nops = 64;      // complete inside ring_enter
constexpr u64 timeout_step = 10'000;
constexpr u32 per_round = waits + cancels + timeouts + nops;
// Jobs in flight stay within a work queue's limit (sched::WorkQueue::max_live_jobs, 256), so
// refusals are rare: the flood is of work the kernel takes on.
static_assert(waits + timeouts <= 256 && per_round <= ring_entries);

constexpr u64 wait_tag = 1'000;
constexpr u64 other_tag = 2'000;

abi::RingSubmission entry_of(u32 opcode, u64 tag) {
    abi::RingSubmission entry{};
    entry.tag = tag;
    entry.opcode = opcode;
    return entry;
}

}  // namespace

int main(const abi::StartInfo& info) {
    if (info.handle_count < 1) return 1;
    Channel report(info.handles[0]);
    auto ring = usertest::TestRing::create(ring_entries);
    auto event = Event::create();
    if (ring.is_error() || event.is_error()) return 2;
    sched_test::RingFloodCounts counts{};
    for (;;) {
        if (event.value().clear().is_error()) return 3;
        for (u32 i = 0; i < waits; ++i) {
            auto wait = entry_of(abi::ring_op::wait_signals, wait_tag + i);
            wait.handle = event.value().value();
            wait.signals = abi::signals::signaled;
            wait.deadline = abi::deadline_infinite;
            ring.value().push(wait);
        }
        for (u32 i = 0; i < cancels; ++i) {
            auto cancel = entry_of(abi::ring_op::cancel, other_tag);
            cancel.target_tag = wait_tag + i;
            ring.value().push(cancel);
        }
        u64 now = sys::clock_read();
        for (u32 i = 0; i < timeouts; ++i) {
            auto timeout = entry_of(abi::ring_op::timeout, other_tag);
            timeout.deadline = now + (i + 1) * timeout_step;
            ring.value().push(timeout);
        }
        for (u32 i = 0; i < nops; ++i) ring.value().push(usertest::nop(other_tag));
        for (u32 submitted = 0; submitted < per_round;) {
            auto taken = ring.value().enter(per_round - submitted);
            if (taken.is_error()) return 4;
            submitted += static_cast<u32>(taken.value());
        }
        if (event.value().signal().is_error()) return 5;
        for (u32 done = 0; done < per_round;) {
            abi::RingCompletion completion;
            if (!ring.value().pop(completion)) {
                (void)sys::yield();  // our worker runs the jobs, in our group
                continue;
            }
            ++done;
            ++counts.completed;
            if (completion.status == 0)
                ++counts.ok;
            else if (completion.status == static_cast<u32>(base::Error::Cancelled))
                ++counts.cancelled;
            else
                ++counts.refused;
        }
        ++counts.rounds;
        u8 request[8];
        if (report.receive(base::Bytes(request, sizeof(request)), {}, abi::deadline_now).is_ok())
            if (report.send(base::ReadonlyBytes(reinterpret_cast<const u8*>(&counts), sizeof(counts))).is_error())
                return 6;
    }
}
