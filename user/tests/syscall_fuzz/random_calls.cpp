// family::random: a known call (mostly) or any number at all, each argument drawn from a mix of
// handle values, pointers, sizes, deadlines and random bits. Only what would stop the run is
// steered away from: ending this task, unbounded kernel work, long waits, unmapping its own
// memory, flooding the log, and closing or moving the handles it reports through.

#include "arena.h"
#include "steps.h"

namespace fuzz {

namespace {

// Every assigned number, from the ABI's one list (task_exit and debug_kernel_work are steered
// away from below).
constexpr const auto& known_numbers = abi::syscall_numbers;
constexpr char missing_module[] = "no_such_module";

constexpr u64 number_of(Syscall call) { return static_cast<u64>(call); }

bool is_assigned(u64 number) {
    for (u64 known : known_numbers)
        if (known == number) return true;
    return false;
}

// Which argument is a deadline (-1: none).
int deadline_index(u64 number) {
    switch (static_cast<Syscall>(number)) {
        case Syscall::sleep:
            return 0;
        case Syscall::task_wait:
            return 1;
        case Syscall::channel_call:
        case Syscall::channel_reply_receive:
        case Syscall::wait_one:
        case Syscall::wait_many:
        case Syscall::service_subscribe:
            return 2;
        case Syscall::channel_receive:
            return 5;
        default:
            return -1;
    }
}

u64 random_argument(Fuzzer& f) {
    constexpr u64 limits[] = {16, 64, 4096, abi::max_message_bytes};
    switch (f.random().below(7)) {
        case 0: {
            const PoolEntry* entry = f.pool().pick(f.random(), Kind::unknown);
            return entry ? entry->value : 0;
        }
        case 1:
            return f.hostile_handle().value;
        case 2:
            return f.pointer(f.random().below(256), f.random().one_in(2) ? Access::input : Access::output).address;
        case 3:
            return f.hostile_pointer(f.random().below(256)).address;
        case 4:
            return f.size(64, f.random().pick(limits));
        case 5:
            return f.deadline();
        default:
            return f.random().next() >> f.random().below(64);
    }
}

// Where a call takes a list of handles to move: (address, count), in registers or (channel_call)
// in its argument block.
bool transfer_list(u64 number, const u64* arguments, u64& address, u64& count) {
    if (number == number_of(Syscall::channel_send)) {
        address = arguments[3];
        count = arguments[4];
        return true;
    }
    if (number == number_of(Syscall::task_spawn)) {
        address = arguments[2];
        count = arguments[3];
        return true;
    }
    if (number == number_of(Syscall::channel_call) &&
        arena::in_scratch(arguments[1], sizeof(abi::ChannelCallArguments))) {
        const auto* block = reinterpret_cast<const abi::ChannelCallArguments*>(arguments[1]);
        address = reinterpret_cast<u64>(block->send_handles);
        count = block->send_handle_count;
        return true;
    }
    return false;
}

// Steers the arguments away from what would end the run rather than test the kernel.
// Never into this program's own image (loaded at 4 MiB), whatever a value came from (random
// bits, or a handle value, which grows into that range as generations go up): the kernel would
// write there as asked, and the fuzzer's own bookkeeping would break.
u64 outside_own_image(u64 value) {
    constexpr u64 image_start = 0x400000, image_span = 16ull << 20;
    return value >= image_start && value < image_start + image_span ? value + image_span : value;
}

void make_survivable(Fuzzer& f, u64 number, u64* arguments) {
    for (int i = 0; i < 6; ++i) {
        arguments[i] = outside_own_image(arguments[i]);
        // Handles the worker keeps for itself (its children's, say): random bits that happen to
        // name one (slots are dense) would close or narrow it behind the bookkeeping's back.
        bool reserved = arguments[i] == f.control() || f.is_held(arguments[i]);
        for (u32 j = 0; j < f.shared().channel_count; ++j) reserved |= arguments[i] == f.shared().channels[j];
        for (u32 j = 0; j < f.shared().event_count; ++j) reserved |= arguments[i] == f.shared().events[j];
        if (reserved) arguments[i] = 0;
    }
    int deadline = deadline_index(number);
    if (deadline >= 0) arguments[deadline] = f.deadline();
    switch (static_cast<Syscall>(number)) {
        case Syscall::debug_log:
            // Readable text (or none: an empty line) would flood the log.
            if (arguments[1] <= abi::max_log_bytes) {
                arguments[0] = 0xffff800000000000ull;
                arguments[1] |= 1;
            }
            break;
        case Syscall::memory_unmap:
            if (arena::protects_own_memory(arguments[0])) arguments[0] = arena::never_mapped;
            break;
        case Syscall::memory_object_map:
            if (arguments[1] && arena::protects_own_memory(arguments[1])) arguments[1] = arena::scratch;
            break;
        case Syscall::memory_object_create:
            // Large objects take (and zero) that many frames: slow, and a few would fill the
            // machine. Up to 1 MiB, and only rarely more (up to the 1 GiB limit, which fails).
            if (arguments[0] > (1ull << 20) && arguments[0] <= (1ull << 30) && !f.random().one_in(1024))
                arguments[0] &= (1ull << 20) - 1;
            break;
        case Syscall::task_spawn:
            if (!f.enabled(family::tasks)) {
                arguments[0] = reinterpret_cast<u64>(missing_module);
            } else if (f.random().one_in(4)) {
                arguments[0] = reinterpret_cast<u64>(worker_module);
                arguments[1] = sizeof(worker_module) - 1;
            }
            break;
        case Syscall::channel_call:
            // A block of random fields, where it can be written.
            if (arena::in_scratch(arguments[1], sizeof(abi::ChannelCallArguments)))
                for (u64 i = 0; i < sizeof(abi::ChannelCallArguments) / sizeof(u64); ++i)
                    reinterpret_cast<u64*>(arguments[1])[i] = outside_own_image(random_argument(f));
            break;
        default:
            break;
    }
    // Channel ends travel only with the cycles family (see fill_transfer).
    u64 address = 0, count = 0;
    if (!f.enabled(family::cycles) && transfer_list(number, arguments, address, count) &&
        count <= abi::max_message_handles && arena::in_scratch(address, count * sizeof(HandleValue))) {
        auto* values = reinterpret_cast<HandleValue*>(address);
        for (u64 i = 0; i < count; ++i) {
            const PoolEntry* entry = f.pool().find(values[i]);
            if (entry && entry->kind == Kind::channel) values[i] = 0;
        }
    }
}

// The handles a call gave us, and the ones it took away.
void account_for(Fuzzer& f, u64 number, const u64* arguments, const RawResult& result, const HandleValue* moved,
                 u64 moved_count, u64 reply_handles) {
    bool sent =
        result.is_ok() || (number == number_of(Syscall::channel_call) && (result.value & abi::call_request_sent));
    if (sent)
        for (u64 i = 0; i < moved_count; ++i) f.forget(moved[i]);
    if (!result.is_ok()) return;
    auto handle = static_cast<HandleValue>(result.value);
    switch (static_cast<Syscall>(number)) {
        case Syscall::handle_close:
            f.forget(static_cast<HandleValue>(arguments[0]));
            break;
        case Syscall::handle_duplicate:
            f.adopt(handle, f.kind_of(handle));
            break;
        case Syscall::handle_replace:
            // The old value is closed; the new one names the same object.
            f.forget(static_cast<HandleValue>(arguments[0]));
            f.adopt(handle, f.kind_of(handle));
            break;
        case Syscall::memory_object_create:
            f.adopt(handle, Kind::memory, static_cast<u32>((arguments[0] + 4095) / 4096));
            break;
        case Syscall::memory_object_map: {
            const PoolEntry* entry = f.pool().find(static_cast<HandleValue>(arguments[0]));
            f.note_mapping(result.value, entry ? u64(entry->pages) * abi::page_size : 0);
            break;
        }
        case Syscall::memory_unmap:
            f.mapping_gone(arguments[0]);
            break;
        case Syscall::event_create:
            f.adopt(handle, Kind::event);
            break;
        case Syscall::task_spawn:
            f.adopt(handle, Kind::task);
            break;
        case Syscall::debug_kernel_echo:
            f.adopt(handle, Kind::channel);  // an end like any other, with a kernel service at its peer
            break;
        case Syscall::channel_create:
            f.harvest(arguments[0], 2);
            break;
        case Syscall::channel_receive:
            f.harvest(arguments[3], abi::message_handles_of(result.value));
            break;
        case Syscall::channel_call:
            f.harvest(reply_handles, abi::message_handles_of(result.value));
            break;
        default:
            break;
    }
}

}  // namespace

void random_call(Fuzzer& f) {
    u64 number = f.random().pick(known_numbers);
    if (f.random().one_in(8)) number = f.random().one_in(2) ? f.random().below(256) : f.random().next();
    // Ending ourselves, and unbounded kernel work (the kernel_work family's), are not for here.
    if (number == number_of(Syscall::task_exit) || number == number_of(Syscall::debug_kernel_work))
        number = abi::syscall_table_size;  // no call has it
    u64 arguments[6];
    for (u64& argument : arguments) argument = random_argument(f);
    make_survivable(f, number, arguments);

    // What may move, and where a reply's handles will be, as they stand before the call.
    HandleValue moved[abi::max_message_handles];
    u64 moved_count = 0, address = 0, count = 0;
    if (transfer_list(number, arguments, address, count) && count <= abi::max_message_handles &&
        arena::in_scratch(address, count * sizeof(HandleValue))) {
        __builtin_memcpy(moved, reinterpret_cast<const void*>(address), count * sizeof(HandleValue));
        moved_count = count;
    }
    u64 reply_handles = 0;
    if (number == number_of(Syscall::channel_call) &&
        arena::in_scratch(arguments[1], sizeof(abi::ChannelCallArguments)))
        reply_handles =
            reinterpret_cast<u64>(reinterpret_cast<const abi::ChannelCallArguments*>(arguments[1])->receive_handles);

    auto result = f.call(number, arguments[0], arguments[1], arguments[2], arguments[3], arguments[4], arguments[5]);
    if (!is_assigned(number))
        f.expect_status(result, Error::NotSupported, "a number no call has gives NotSupported", number);
    account_for(f, number, arguments, result, moved, moved_count, reply_handles);
    if (number == number_of(Syscall::task_set_weight)) f.call(Syscall::task_set_weight, 0, abi::default_weight);
}

}  // namespace fuzz
