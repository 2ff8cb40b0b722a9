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
    UserIn<u8> bytes;
    u64 byte_count;
    UserIn<HandleValue> handles;
    u64 handle_count;
};

struct IncomingBuffers {
    UserOut<u8> bytes;
    u64 byte_capacity;
    UserOut<HandleValue> handles;
    u64 handle_capacity;
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
    if (auto copied_in = outgoing.bytes.read(bytes, outgoing.byte_count); copied_in.is_error()) {
        MUST(channel.offer_peer_direct_receiver_back(*receiver));
        return copied_in.error();
    }
    if (arch::copy_to_address_space(receiver->page_table_root, receiver->bytes, bytes, outgoing.byte_count)
            .is_error()) {
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

base::ErrorOr<void> send(Task& sender, Channel& channel, const OutgoingMessage& outgoing) {
    if (outgoing.byte_count > max_message_bytes) return base::Error::InvalidArgument;
    if (TRY(send_direct(channel, outgoing))) return {};
    HandleTransfer transfer;
    TRY(transfer.check(sender, outgoing.handles, outgoing.handle_count, &channel));
    MessagePointer message(TRY(Message::create(base::narrow<u32>(outgoing.byte_count),
                                               base::narrow<u32>(transfer.count()), &sender.account())));
    TRY(outgoing.bytes.read(message->bytes(), outgoing.byte_count));

    arch::InterruptGuard guard;  // the queue check and the move happen as one step
    TRY(channel.check_can_send(transfer.passengers()));
    transfer.take_into(sender, message->handles());
    channel.enqueue_checked(*message.release());
    return {};
}

base::ErrorOr<u64> receive(Channel& channel, const IncomingBuffers& buffers, u64 deadline,
                           SyscallArguments& arguments) {
    Task& receiver = arguments.task;
    // The buffers as declared (up to the largest message) must lie in user space; only what the
    // message fills is written.
    u64 byte_room = base::min<u64>(buffers.byte_capacity, max_message_bytes);
    u64 handle_room = base::min<u64>(buffers.handle_capacity, max_message_handles);
    if ((byte_room && !arch::is_user_range(buffers.bytes.address(), byte_room)) ||
        (handle_room && !arch::is_user_range(buffers.handles.address(), handle_room * sizeof(HandleValue))))
        return base::Error::BadAddress;
    HandleTable& handles = receiver.handles();
    arch::InterruptGuard guard;
    for (;;) {
        auto head = channel.peek();
        if (head.is_ok()) break;
        if (head.error() != base::Error::ShouldWait || deadline == deadline_now) return head.error();
        DirectReceiver direct{&sched::current_thread(), receiver.address_space().page_table_root(),
                              buffers.bytes.address(), byte_room};
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
    TRY(buffers.handles.write(values, message->handle_count()));
    TRY(buffers.bytes.write(message->bytes(), message->byte_count()));

    // Nothing can fail now. The message leaves the queue first, so the channel ends it carries
    // leave their container while they are still in it (object/channel.h), then its handles move.
    MessagePointer taken(channel.pop());
    for (u32 i = 0; i < taken->handle_count(); ++i) values[i] = MUST(handles.add(base::move(taken->handles()[i])));
    MUST(buffers.handles.write(values, taken->handle_count()));
    return pack_message_sizes(taken->byte_count(), taken->handle_count());
}

}  // namespace

SyscallResult sys_channel_create(SyscallArguments& arguments) {
    auto out = arguments.out<HandleValue>(0);
    HandleValue probe[2] = {};
    TRY(out.write(probe, 2));
    HandleTable& handles = arguments.task.handles();
    TRY(handles.reserve(2));
    auto pair = TRY(Channel::create_pair());
    HandleValue values[2] = {MUST(handles.add(Handle(base::move(pair.first), channel_rights))),
                             MUST(handles.add(Handle(base::move(pair.second), channel_rights)))};
    MUST(out.write(values, 2));
    return 0;
}

SyscallResult sys_channel_send(SyscallArguments& arguments) {
    auto channel = TRY(arguments.task.handles().get_object<Channel>(arguments.argument[0], rights::send));
    TRY(send(arguments.task, *channel,
             {arguments.in<u8>(1), arguments.argument[2], arguments.in<HandleValue>(3), arguments.argument[4]}));
    return 0;
}

SyscallResult sys_channel_receive(SyscallArguments& arguments) {
    auto channel = TRY(arguments.task.handles().get_object<Channel>(arguments.argument[0], rights::receive));
    return receive(*channel,
                   {arguments.out<u8>(1), arguments.argument[2], arguments.out<HandleValue>(3), arguments.argument[4]},
                   arguments.argument[5], arguments);
}

SyscallResult sys_channel_call(SyscallArguments& arguments) {
    auto channel =
        TRY(arguments.task.handles().get_object<Channel>(arguments.argument[0], rights::send | rights::receive));
    auto call = TRY(arguments.in<ChannelCallArguments>(1).read());
    auto address = [](const void* pointer) { return reinterpret_cast<u64>(pointer); };
    TRY(send(arguments.task, *channel,
             {UserIn<u8>(address(call.send_bytes)), call.send_byte_count,
              UserIn<HandleValue>(address(call.send_handles)), call.send_handle_count}));
    auto reply = receive(*channel,
                         {UserOut<u8>(address(call.receive_bytes)), call.receive_byte_capacity,
                          UserOut<HandleValue>(address(call.receive_handles)), call.receive_handle_capacity},
                         arguments.argument[2], arguments);
    if (reply.is_error()) arguments.error_detail |= call_request_sent;  // the handles are gone
    return reply;
}
