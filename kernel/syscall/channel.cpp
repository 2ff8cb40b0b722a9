// channel_create, channel_send, channel_receive, channel_call.

#include <arch/paging.h>
#include <base/narrow.h>
#include <object/channel.h>
#include <syscall/syscall.h>
#include <syscall/transfer.h>

namespace {

// No `duplicate`: an end has one handle, so it sits in at most one queue (object/channel.h).
constexpr u32 channel_rights = rights::transfer | rights::read | rights::send | rights::receive | rights::wait;

struct OutgoingMessage {
    u64 bytes, byte_count, handles, handle_count;
};

struct IncomingBuffers {
    u64 bytes, byte_capacity, handles, handle_capacity;
};

// The fast path: a small message without handles, to a peer with a thread blocked receiving,
// goes straight from the sender's memory into the receiver's buffer. Returns false (having
// changed nothing) where the normal path must run instead.
base::ErrorOr<bool> send_direct(Channel& channel, const OutgoingMessage& outgoing) {
    if (outgoing.handle_count != 0 || outgoing.byte_count > Channel::direct_message_limit) return false;
    arch::InterruptGuard guard;
    DirectReceiver* receiver = channel.take_peer_direct_receiver(outgoing.byte_count);
    if (!receiver) return false;
    u8 bytes[Channel::direct_message_limit];
    if (auto copied_in = arch::copy_from_user(bytes, outgoing.bytes, outgoing.byte_count); copied_in.is_error()) {
        MUST(channel.offer_peer_direct_receiver_back(*receiver));
        return copied_in.error();
    }
    u64 own_root = current_task().address_space().page_table_root();
    arch::switch_page_tables(receiver->page_table_root);
    auto copied = arch::copy_to_user(receiver->bytes, bytes, outgoing.byte_count);
    arch::switch_page_tables(own_root);
    if (copied.is_error()) {
        // The receiver's buffer is bad: queue the message normally; its own copy will say so.
        MUST(channel.offer_peer_direct_receiver_back(*receiver));
        return false;
    }
    receiver->delivered = true;
    receiver->sizes = pack_message_sizes(outgoing.byte_count, 0);
    sched::wake(*receiver->thread);
    sched::hand_off_to(*receiver->thread);
    return true;
}

base::ErrorOr<void> send(Channel& channel, const OutgoingMessage& outgoing) {
    if (outgoing.byte_count > max_message_bytes) return base::Error::InvalidArgument;
    if (TRY(send_direct(channel, outgoing))) return {};
    HandleTransfer transfer;
    TRY(transfer.check(outgoing.handles, outgoing.handle_count, &channel));
    MessagePointer message(TRY(Message::create(base::narrow<u32>(outgoing.byte_count),
                                               base::narrow<u32>(transfer.count()), &current_task().account())));
    TRY(arch::copy_from_user(message->bytes(), outgoing.bytes, outgoing.byte_count));

    arch::InterruptGuard guard;  // the queue check and the move happen as one step
    TRY(channel.check_can_send(transfer.passengers()));
    transfer.take_into(message->handles());
    channel.enqueue_checked(*message.release());
    return {};
}

base::ErrorOr<u64> receive(Channel& channel, const IncomingBuffers& buffers, u64 deadline,
                           SyscallArguments& arguments) {
    // The buffers as declared (up to the largest message) must lie in user space; only what the
    // message fills is written.
    u64 byte_room = base::min<u64>(buffers.byte_capacity, max_message_bytes);
    u64 handle_room = base::min<u64>(buffers.handle_capacity, max_message_handles);
    if ((byte_room && !arch::is_user_range(buffers.bytes, byte_room)) ||
        (handle_room && !arch::is_user_range(buffers.handles, handle_room * sizeof(HandleValue))))
        return base::Error::BadAddress;
    HandleTable& handles = current_task().handles();
    arch::InterruptGuard guard;
    for (;;) {
        auto head = channel.peek();
        if (head.is_ok()) break;
        if (head.error() != base::Error::ShouldWait || deadline == deadline_now) return head.error();
        DirectReceiver direct{&sched::current_thread(), current_task().address_space().page_table_root(), buffers.bytes,
                              byte_room};
        if (!channel.offer_direct_receiver(direct)) {
            // Another thread already waits here: wait for the signals instead.
            TRY(wait_for_signals(channel, signals::readable | signals::peer_closed, deadline, arguments));
            continue;
        }
        WakeReason reason = sched::block_current(deadline);
        channel.withdraw_direct_receiver(direct);
        if (direct.delivered) return direct.sizes;  // even if the wait also timed out or was cancelled
        if (reason == WakeReason::Killed) return base::Error::Cancelled;
        if (reason == WakeReason::TimedOut && channel.peek().failed_with(base::Error::ShouldWait)) {
            arguments.error_detail = channel.signals();
            return base::Error::TimedOut;
        }
    }
    Message* message = channel.peek().value();
    if (message->byte_count() > buffers.byte_capacity || message->handle_count() > buffers.handle_capacity) {
        arguments.error_detail = pack_message_sizes(message->byte_count(), message->handle_count());
        return base::Error::BufferTooSmall;
    }
    // Everything that can fail comes first; the message stays queued if it does.
    TRY(handles.reserve(message->handle_count()));
    HandleValue values[max_message_handles];
    for (u32 i = 0; i < message->handle_count(); ++i) values[i] = invalid_handle;
    TRY(arch::copy_to_user(buffers.handles, values, message->handle_count() * sizeof(HandleValue)));
    TRY(arch::copy_to_user(buffers.bytes, message->bytes(), message->byte_count()));

    // Nothing can fail now. The message leaves the queue first, so the channel ends it carries
    // leave their container while they are still in it (object/channel.h), then its handles move.
    MessagePointer taken(channel.pop());
    for (u32 i = 0; i < taken->handle_count(); ++i) values[i] = MUST(handles.add(base::move(taken->handles()[i])));
    MUST(arch::copy_to_user(buffers.handles, values, taken->handle_count() * sizeof(HandleValue)));
    return pack_message_sizes(taken->byte_count(), taken->handle_count());
}

}  // namespace

SyscallResult sys_channel_create(SyscallArguments& arguments) {
    u64 out = arguments.argument[0];
    HandleValue probe[2] = {};
    TRY(arch::copy_to_user(out, probe, sizeof(probe)));
    HandleTable& handles = current_task().handles();
    TRY(handles.reserve(2));
    auto pair = TRY(Channel::create_pair());
    HandleValue values[2] = {MUST(handles.add(Handle(base::move(pair.first), channel_rights))),
                             MUST(handles.add(Handle(base::move(pair.second), channel_rights)))};
    MUST(arch::copy_to_user(out, values, sizeof(values)));
    return 0;
}

SyscallResult sys_channel_send(SyscallArguments& arguments) {
    auto channel = TRY(current_task().handles().get_object<Channel>(arguments.argument[0], rights::send));
    TRY(send(*channel, {arguments.argument[1], arguments.argument[2], arguments.argument[3], arguments.argument[4]}));
    return 0;
}

SyscallResult sys_channel_receive(SyscallArguments& arguments) {
    auto channel = TRY(current_task().handles().get_object<Channel>(arguments.argument[0], rights::receive));
    return receive(*channel,
                   {arguments.argument[1], arguments.argument[2], arguments.argument[3], arguments.argument[4]},
                   arguments.argument[5], arguments);
}

SyscallResult sys_channel_call(SyscallArguments& arguments) {
    auto channel =
        TRY(current_task().handles().get_object<Channel>(arguments.argument[0], rights::send | rights::receive));
    auto call = TRY(copy_in<ChannelCallArguments>(arguments.argument[1]));
    TRY(send(*channel, {reinterpret_cast<u64>(call.send_bytes), call.send_byte_count,
                        reinterpret_cast<u64>(call.send_handles), call.send_handle_count}));
    auto reply = receive(*channel,
                         {reinterpret_cast<u64>(call.receive_bytes), call.receive_byte_capacity,
                          reinterpret_cast<u64>(call.receive_handles), call.receive_handle_capacity},
                         arguments.argument[2], arguments);
    if (reply.is_error()) arguments.error_detail |= call_request_sent;  // the handles are gone
    return reply;
}
