// family::races: every worker holds the same few channel ends and events, and sends, receives,
// calls, waits and signals on them at once; fresh channel ends and task handles travel between
// workers through them, so one worker closes or kills what another is using.

#include "arena.h"
#include "steps.h"

namespace fuzz {

namespace {

// Messages up to this size may go straight to a waiting receiver (the kernel's fast path);
// larger ones are always queued.
constexpr u64 direct_message_limit = 256;

u64 message_size(Fuzzer& f) {
    return f.random().one_in(2) ? f.random().below(direct_message_limit + 1)
                                : f.random().between(direct_message_limit + 1, abi::max_message_bytes);
}

u64 soon(Fuzzer& f) { return f.random().one_in(4) ? abi::deadline_now : sys::clock_read() + f.random().below(500'000); }

void send_bytes(Fuzzer& f, HandleValue end) {
    f.call(Syscall::channel_send, end, arena::scratch, message_size(f), 0, 0);
}

// A fresh pair: one end (and sometimes an event or a task) goes to whichever worker receives
// it, the other stays here to be used and closed while that worker uses it.
void pass_objects(Fuzzer& f, HandleValue end) {
    HandleValue ours, theirs;
    if (!f.make_channel(ours, theirs)) return;
    HandleValue handles[2] = {theirs};
    u64 count = 1;
    if (const PoolEntry* extra = f.pool().pick(f.random(), f.random().one_in(2) ? Kind::event : Kind::task))
        if (extra->value != ours && extra->value != theirs) handles[count++] = extra->value;
    auto result = f.call(Syscall::channel_send, end, arena::scratch, message_size(f), sys::arg(handles), count);
    if (result.is_ok())
        for (u64 i = 0; i < count; ++i) f.forget(handles[i]);
}

void receive_from(Fuzzer& f, HandleValue end) {
    // Often too small for what is queued (BufferTooSmall leaves it there); the deadline races
    // the senders.
    u64 capacity = f.random().one_in(4) ? f.random().below(512) : abi::max_message_bytes;
    u64 handle_capacity = f.random().one_in(8) ? 0 : abi::max_message_handles;
    u64 handles = arena::scratch + arena::scratch_size - abi::max_message_handles * sizeof(HandleValue);
    auto result = f.call(Syscall::channel_receive, end, arena::scratch, capacity, handles, handle_capacity, soon(f));
    if (result.is_ok()) f.harvest(handles, abi::message_handles_of(result.value));
}

void call_on(Fuzzer& f, HandleValue end) {
    u64 handles = arena::scratch + arena::scratch_size - abi::max_message_handles * sizeof(HandleValue);
    abi::ChannelCallArguments arguments{arena::scratch_bytes(),
                                        f.random().below(300),
                                        nullptr,
                                        0,
                                        arena::scratch_bytes(),
                                        abi::max_message_bytes,
                                        reinterpret_cast<HandleValue*>(handles),
                                        abi::max_message_handles};
    auto result = f.call(Syscall::channel_call, end, sys::arg(&arguments), soon(f));
    if (result.is_ok()) f.harvest(handles, abi::message_handles_of(result.value));
}

void wait_on_everything(Fuzzer& f) {
    const Shared& shared = f.shared();
    abi::WaitItem items[Shared::max_channels + Shared::max_events] = {};
    u64 count = 0;
    for (u32 i = 0; i < shared.channel_count; ++i)
        items[count++] = {shared.channels[i], abi::signals::readable | abi::signals::peer_closed, 0, 0};
    for (u32 i = 0; i < shared.event_count; ++i) items[count++] = {shared.events[i], abi::signals::signaled, 0, 0};
    f.call(Syscall::wait_many, sys::arg(items), count, soon(f));
}

void toggle_event(Fuzzer& f) {
    const Shared& shared = f.shared();
    if (!shared.event_count) return;
    HandleValue event = shared.events[f.random().below(shared.event_count)];
    f.call(f.random().one_in(2) ? Syscall::event_signal : Syscall::event_clear, event);
}

// Uses an end another worker passed us, or one whose peer we passed away: send into it, wait
// on it, or close it while the other side is busy with it.
void use_passed_end(Fuzzer& f) {
    const PoolEntry* entry = f.pool().pick(f.random(), Kind::channel);
    if (!entry) return;
    HandleValue end = entry->value;
    switch (f.random().below(4)) {
        case 0:
            send_bytes(f, end);
            break;
        case 1:
            f.call(Syscall::wait_one, end, abi::signals::readable | abi::signals::peer_closed, soon(f));
            break;
        case 2:
            receive_from(f, end);
            break;
        default:
            if (f.call(Syscall::handle_close, end).is_ok()) f.forget(end);
            break;
    }
}

// A task handle another worker passed us (its victim) or one of our own: kill it, or look.
void use_task(Fuzzer& f) {
    const PoolEntry* entry = f.pool().pick(f.random(), Kind::task);
    if (!entry) return;
    abi::CpuTime time{};
    switch (f.random().below(3)) {
        case 0:
            f.call(Syscall::task_kill, entry->value);
            break;
        case 1:
            f.call(Syscall::task_wait, entry->value, soon(f));
            break;
        default:
            f.call(Syscall::task_cpu_time, entry->value, sys::arg(&time));
            break;
    }
}

}  // namespace

void race_step(Fuzzer& f) {
    const Shared& shared = f.shared();
    if (!shared.channel_count) return;
    HandleValue end = shared.channels[f.random().below(shared.channel_count)];
    switch (f.random().below(10)) {
        case 0:
        case 1:
            send_bytes(f, end);
            break;
        case 2:
            pass_objects(f, end);
            break;
        case 3:
        case 4:
            receive_from(f, end);
            break;
        case 5:
            call_on(f, end);
            break;
        case 6:
            wait_on_everything(f);
            break;
        case 7:
            toggle_event(f);
            break;
        case 8:
            use_passed_end(f);
            break;
        default:
            use_task(f);
            break;
    }
}

}  // namespace fuzz
