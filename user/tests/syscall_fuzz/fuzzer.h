#pragma once

// One worker's fuzzing state: its generator, handle pool and tallies, the choosers that draw
// arguments (valid ones, or hostile ones when their family is on), and the rules every answer
// is checked against. Every call goes through Fuzzer::call.

#include <poplar/syscall.h>

#include "families.h"
#include "handle_pool.h"
#include "protocol.h"
#include "random.h"

namespace fuzz {

namespace abi = poplar::abi;
namespace sys = poplar::sys;
using abi::Syscall;
using base::Error;
using sys::RawResult;

// The objects the coordinator shares with every worker, so that their calls race.
struct Shared {
    static constexpr u32 max_channels = 8;
    static constexpr u32 max_events = 4;
    HandleValue channels[max_channels] = {};
    u32 channel_count = 0;
    HandleValue events[max_events] = {};
    u32 event_count = 0;
};

// A handle argument, and whether it certainly names nothing (so the answer must be BadHandle).
struct HandleArgument {
    u64 value = 0;
    bool bad = false;
    Kind kind = Kind::unknown;  // what it names when live
};

// A pointer argument and how much memory there is behind it.
struct PointerArgument {
    u64 address = 0;
    bool outside_user = false;  // not in user space at all (null, low, kernel, non-canonical, wrapping)
    u64 readable = ~u64(0);     // bytes from `address` that can be read (~0: as many as asked)
    u64 writable = ~u64(0);     // and written

    static PointerArgument valid(u64 address) { return {address, false, ~u64(0), ~u64(0)}; }
    static PointerArgument read_only(u64 address, u64 readable = ~u64(0)) { return {address, false, readable, 0}; }
    static PointerArgument unmapped(u64 address) { return {address, false, 0, 0}; }
    static PointerArgument straddling(u64 address, u64 mapped) { return {address, false, mapped, mapped}; }
    static PointerArgument outside(u64 address) { return {address, true, 0, 0}; }

    // Whether `length` bytes there certainly cannot be written (read).
    bool bad_for_output(u64 length) const { return length > writable; }
    bool bad_for_input(u64 length) const { return length > readable; }
};

enum class Access { input, output };

class Fuzzer {
public:
    Fuzzer(const Orders& orders, HandleValue control, const Shared& shared, const char* name);

    Random& random() { return random_; }
    HandlePool& pool() { return pool_; }
    const Orders& orders() const { return orders_; }
    const Shared& shared() const { return shared_; }
    HandleValue control() const { return control_; }
    bool enabled(u32 families) const { return (orders_.families & families) != 0; }
    u64 calls() const { return report_.calls; }
    u64 failures() const { return report_.failures; }
    const char* name() const { return name_; }

    // One system call; with the rflags family on, half of them run with random RFLAGS.
    RawResult call(u64 number, u64 a0 = 0, u64 a1 = 0, u64 a2 = 0, u64 a3 = 0, u64 a4 = 0, u64 a5 = 0);
    RawResult call(Syscall number, u64 a0 = 0, u64 a1 = 0, u64 a2 = 0, u64 a3 = 0, u64 a4 = 0, u64 a5 = 0) {
        return call(static_cast<u64>(number), a0, a1, a2, a3, a4, a5);
    }

    // Choosers. Each gives a valid value most of the time, and a hostile one when its family
    // (handles, pointers, sizes) is on.
    HandleArgument handle(Kind kind);
    HandleArgument hostile_handle();
    // For handle lists in memory (transfers, wait items), which hold 32-bit values: a value with
    // bits above 32 would arrive there as the live handle it was forged from.
    HandleValue handle_in_memory(Kind kind);
    HandleValue hostile_handle_in_memory();
    PointerArgument pointer(u64 length, Access access);
    PointerArgument hostile_pointer(u64 length);
    // A size up to `typical` mostly; the boundaries of `limit` when the sizes family is on.
    u64 size(u64 typical, u64 limit);
    // Never far: now, already passed, or within a few hundred microseconds.
    u64 deadline();

    // Bookkeeping. `adopt` keeps a new handle (closing it when the pool is full); `harvest`
    // adopts the values a receive wrote to scratch; `forget` drops a closed or moved value.
    void adopt(HandleValue value, Kind kind, u32 pages = 0);
    void harvest(u64 address, u64 count);
    void forget(HandleValue value) { pool_.forget(value); }
    Kind kind_of(HandleValue value);
    // Values this worker holds outside the pool (its children's task handles): `hold` them so
    // that forged values are never mistaken for names of nothing.
    void hold(HandleValue value);
    bool is_held(u64 value) const;
    void release(HandleValue value);
    bool known_live(u64 value) const;
    // A fresh live handle of `kind` (event, channel end, one-page memory object), in the pool.
    HandleValue make(Kind kind);
    // A fresh channel, both ends in the pool.
    bool make_channel(HandleValue& first, HandleValue& second);
    void note_mapping(u64 address, u64 length);  // length 0: not known
    // One of the mappings this worker made (false if none), and to say one is gone.
    bool pick_mapping(u64& address, u64& length);
    void mapping_gone(u64 address);
    // Keeps the pool and the mappings from growing without bound.
    void tidy();
    // Closes every handle in the pool and unmaps what it mapped, so that what it sent into its
    // own channels is gone and its quotas have room for the final report.
    void let_go_of_everything();

    // Rules. A broken one is printed and counted; the worker then exits 1.
    void fail(const char* rule, u64 number, u64 status, u64 detail = 0);
    void expect_status(const RawResult& result, Error error, const char* rule, u64 number);
    void expect_ok(const RawResult& result, const char* rule, u64 number);
    // A certainly-bad handle must give BadHandle.
    void check_handle(const RawResult& result, const HandleArgument& handle, Syscall number);
    // A call must not succeed with an output it could not have written.
    void check_output(const RawResult& result, const PointerArgument& pointer, u64 length, Syscall number);

    // Sends a progress (or the final) Report on the control channel.
    void report(bool final);

private:
    Orders orders_;
    HandleValue control_;
    Shared shared_;
    const char* name_;
    Random random_;
    HandlePool pool_;
    Report report_;
    u64 next_progress_;
    static constexpr usize max_mappings = 24;
    struct Mapping {
        u64 address, length;
    } mappings_[max_mappings] = {};
    usize mapping_count_ = 0;
    static constexpr usize max_held = 64;
    HandleValue held_[max_held] = {};

    void unmap_all();
};

}  // namespace fuzz
