// Picks one structured call (calls.h), weighted by how much there is to find in each.

#include "calls.h"

namespace fuzz {

namespace {

struct CallChoice {
    void (*make)(Fuzzer&);
    u32 weight;
};

constexpr CallChoice choices[] = {
    {log_call, 1},        {sleep_call, 2},       {yield_call, 2},          {clock_call, 1},
    {close_call, 3},      {duplicate_call, 3},   {info_call, 3},           {memory_create_call, 3},
    {map_call, 3},        {unmap_call, 2},       {channel_create_call, 3}, {send_call, 8},
    {receive_call, 8},    {call_call, 4},        {event_create_call, 2},   {event_signal_call, 3},
    {wait_one_call, 4},   {wait_many_call, 3},   {spawn_call, 1},          {kill_call, 1},
    {wait_task_call, 1},  {cpu_time_call, 2},    {weight_call, 2},         {counts_call, 2},
    {unassigned_call, 1}, {ring_create_call, 1}, {ring_enter_call, 3},     {ring_operations_call, 2},
};

constexpr u32 total_weight() {
    u32 total = 0;
    for (const CallChoice& choice : choices) total += choice.weight;
    return total;
}

}  // namespace

void structured_call(Fuzzer& f) {
    // Something to work with: a few objects of each kind.
    if (f.pool().size() < 16) {
        constexpr Kind kinds[] = {Kind::channel, Kind::event, Kind::memory};
        f.make(f.random().pick(kinds));
    }
    u64 point = f.random().below(total_weight());
    for (const CallChoice& choice : choices) {
        if (point < choice.weight) {
            choice.make(f);
            return;
        }
        point -= choice.weight;
    }
}

}  // namespace fuzz
