// channel_create, channel_send, channel_receive, channel_call, and the handle lists they move.

#include "arena.h"
#include "calls.h"

namespace fuzz {

namespace {

// The rules for what a receive (or the reply of a call) may have done.
void check_received(Fuzzer& f, const RawResult& result, const PointerArgument& data, u64 capacity,
                    const PointerArgument& handles, u64 handle_capacity, Syscall number) {
    if (!result.is_ok()) return;
    u64 bytes = abi::message_bytes_of(result.value), count = abi::message_handles_of(result.value);
    if (bytes > capacity || count > handle_capacity || bytes > abi::max_message_bytes)
        f.fail("a received message fits the buffers given", rule(number), 0, result.value);
    bool outside = (capacity && data.outside_user) || (handle_capacity && handles.outside_user);
    if (outside) f.fail("receive buffers outside user space are refused", rule(number), 0, data.address);
    f.check_output(result, data, base::min(bytes, capacity), number);
    f.check_output(result, handles, handle_bytes(base::min(count, handle_capacity)), number);
    f.harvest(handles.address, count);
}

}  // namespace

void channel_create_call(Fuzzer& f) {
    PointerArgument out = f.pointer(2 * sizeof(HandleValue), Access::output);
    auto result = f.call(Syscall::channel_create, out.address);
    f.check_output(result, out, 2 * sizeof(HandleValue), Syscall::channel_create);
    if (result.is_ok()) f.harvest(out.address, 2);
}

void send_call(Fuzzer& f) {
    constexpr u64 typical_sizes[] = {16, 256, 257, 4096, 65536};
    HandleArgument channel = f.handle(Kind::channel);
    u64 bytes = f.size(f.random().pick(typical_sizes), abi::max_message_bytes);
    PointerArgument data = f.pointer(bytes, Access::input);
    u64 count = f.random().one_in(2) ? 0 : f.size(4, abi::max_message_handles);
    PointerArgument handles = f.pointer(handle_bytes(count), Access::input);
    fill_transfer(f, handles.address, count, static_cast<HandleValue>(channel.value));
    auto result = f.call(Syscall::channel_send, channel.value, data.address, bytes, handles.address, count);
    f.check_handle(result, channel, Syscall::channel_send);
    if (!result.is_ok()) return;
    forget_transferred(f, handles.address, count);
    if (bytes > abi::max_message_bytes || count > abi::max_message_handles)
        f.fail("channel_send refuses messages over the limits", rule(Syscall::channel_send), 0, bytes);
    if (data.bad_for_input(bytes) || handles.bad_for_input(handle_bytes(count)))
        f.fail("channel_send does not send from unreadable memory", rule(Syscall::channel_send), 0, data.address);
}

void receive_call(Fuzzer& f) {
    constexpr u64 capacities[] = {0, 16, 256, 65536};
    constexpr u64 handle_capacities[] = {0, 4, 64};
    HandleArgument channel = f.handle(Kind::channel);
    u64 capacity = f.size(f.random().pick(capacities), abi::max_message_bytes);
    PointerArgument data = f.pointer(base::min(capacity, abi::max_message_bytes), Access::output);
    u64 handle_capacity = f.size(f.random().pick(handle_capacities), abi::max_message_handles);
    PointerArgument handles =
        f.pointer(handle_bytes(base::min(handle_capacity, abi::max_message_handles)), Access::output);
    auto result = f.call(Syscall::channel_receive, channel.value, data.address, capacity, handles.address,
                         handle_capacity, f.deadline());
    f.check_handle(result, channel, Syscall::channel_receive);
    check_received(f, result, data, capacity, handles, handle_capacity, Syscall::channel_receive);
}

void call_call(Fuzzer& f) {
    HandleArgument channel = f.handle(Kind::channel);
    abi::ChannelCallArguments arguments{};
    u64 bytes = f.size(64, abi::max_message_bytes);
    PointerArgument data = f.pointer(bytes, Access::input);
    u64 count = f.random().one_in(2) ? 0 : f.size(2, abi::max_message_handles);
    PointerArgument handles = f.pointer(handle_bytes(count), Access::input);
    u64 capacity = f.size(256, abi::max_message_bytes);
    PointerArgument reply = f.pointer(base::min(capacity, abi::max_message_bytes), Access::output);
    u64 reply_handle_capacity = f.size(4, abi::max_message_handles);
    PointerArgument reply_handles =
        f.pointer(handle_bytes(base::min(reply_handle_capacity, abi::max_message_handles)), Access::output);
    arguments = {reinterpret_cast<const u8*>(data.address),
                 bytes,
                 reinterpret_cast<const HandleValue*>(handles.address),
                 count,
                 reinterpret_cast<u8*>(reply.address),
                 capacity,
                 reinterpret_cast<HandleValue*>(reply_handles.address),
                 reply_handle_capacity};
    PointerArgument block = f.pointer(sizeof(arguments), Access::input);
    fill_transfer(f, handles.address, count, static_cast<HandleValue>(channel.value));
    // Written last: the handle list may share its bytes.
    if (arena::in_scratch(block.address, sizeof(arguments)))
        __builtin_memcpy(reinterpret_cast<void*>(block.address), &arguments, sizeof(arguments));
    auto result = f.call(Syscall::channel_call, channel.value, block.address, f.deadline());
    f.check_handle(result, channel, Syscall::channel_call);
    if (result.is_ok() || (result.value & abi::call_request_sent)) forget_transferred(f, handles.address, count);
    if (arena::in_scratch(block.address, sizeof(arguments)))
        check_received(f, result, reply, capacity, reply_handles, reply_handle_capacity, Syscall::channel_call);
}

void fill_transfer(Fuzzer& f, u64 address, u64 count, HandleValue carrier) {
    if (count > abi::max_message_handles || !arena::in_scratch(address, handle_bytes(count))) return;
    auto* values = reinterpret_cast<HandleValue*>(address);
    for (u64 i = 0; i < count; ++i) {
        const PoolEntry* entry = f.pool().pick(f.random(), Kind::unknown);
        HandleValue value = entry ? entry->value : 0;
        if (entry && entry->kind == Kind::channel && !f.enabled(family::cycles)) {
            const PoolEntry* other =
                f.random().one_in(2) ? f.pool().pick(f.random(), Kind::event) : f.pool().pick(f.random(), Kind::memory);
            value = other ? other->value : 0;
        }
        if (f.enabled(family::handles) && f.random().one_in(8)) {
            switch (f.random().below(3)) {
                case 0:
                    value = f.hostile_handle_in_memory();
                    break;
                case 1:
                    value = i ? values[i - 1] : value;  // listed twice
                    break;
                default:
                    value = carrier;  // the channel itself
                    break;
            }
        }
        values[i] = value;
    }
}

void forget_transferred(Fuzzer& f, u64 address, u64 count) {
    if (count > abi::max_message_handles || !arena::in_scratch(address, handle_bytes(count))) return;
    const auto* values = reinterpret_cast<const HandleValue*>(address);
    for (u64 i = 0; i < count; ++i) f.forget(values[i]);
}

}  // namespace fuzz
