// channel_create, channel_send, channel_receive, channel_call.

#include <arch/arch.h>
#include <arch/paging.h>
#include <base/narrow.h>
#include <object/channel.h>
#include <sched/wait.h>
#include <syscall/channel_operations.h>
#include <syscall/syscall.h>
#include <syscall/transfer.h>

namespace {

// No `duplicate`: an end has one handle, so it sits in at most one queue (object/channel.h).
constexpr u32 channel_rights = rights::transfer | rights::read | rights::send | rights::receive | rights::wait;

// Sends `outgoing`; `then_read`, if given, then waits at the same end (a call's reply), put in
// place in the same step. On error nothing was sent and the reader is not in place.
// Inlined into the system calls: it is the hot path of channel_send and channel_call.
[[gnu::always_inline]] inline base::ErrorOr<void> send(Task& sender, Channel& channel, const OutgoingMessage& outgoing,
                                                       ChannelReader* then_read = nullptr) {
    if (outgoing.byte_count > max_message_bytes) return base::Error::InvalidArgument;
    UserIn<u8> user_bytes(outgoing.bytes);
    if (outgoing.handle_count == 0 && outgoing.byte_count <= Channel::direct_message_limit) {
        // Small and without handles: the channel may hand it straight to a waiting reader.
        u8 bytes[Channel::direct_message_limit];
        TRY(user_bytes.read(bytes, outgoing.byte_count));
        base::ReadonlyBytes message(bytes, outgoing.byte_count);
        return channel.write_bytes(message, &sender.account(), then_read, outgoing.transaction);
    }
    struct Boarding {
        explicit Boarding(Task& sender) : sender(sender) {}  // the transfer's arrays stay unfilled
        HandleTransfer transfer;
        Task& sender;
    } boarding(sender);
    TRY(boarding.transfer.check(sender, UserIn<HandleValue>(outgoing.handles), outgoing.handle_count, &channel));
    MessagePointer message = TRY(Message::create(base::narrow<u32>(outgoing.byte_count),
                                                 base::narrow<u32>(boarding.transfer.count()), &sender.account()));
    TRY(user_bytes.read(message->bytes(), outgoing.byte_count));
    message->set_transaction(outgoing.transaction);
    auto board = [](void* context, Message& message) {
        auto& boarding = *static_cast<Boarding*>(context);
        boarding.transfer.take_into(boarding.sender, message.handles());
    };
    return channel.write(message, boarding.transfer.passengers(), board, &boarding, then_read);
}

// A write into the receiver's memory: through its page tables when the buffers say so (a job on
// a kernel worker), else in the current address space.
base::ErrorOr<void> write_out(const IncomingBuffers& buffers, u64 address, const void* source, u64 count) {
    if (!buffers.page_table_root) return arch::copy_to_user(address, source, count);
    arch::InterruptGuard guard;  // the page tables switched for the copy alone
    return arch::copy_to_address_space(buffers.page_table_root, address, source, count);
}

// Puts back a message deliver() could not deliver: the head of the queue returns to it; a call's
// reply is queued only while the queue has room (Channel::unread_reply), else dropped.
void put_back(Channel& channel, MessagePointer message, bool reply) {
    if (reply)
        channel.unread_reply(base::move(message));  // one it hands back goes here, outside the lock
    else
        channel.unread(base::move(message));
}

// Delivers a message taken off `channel` (the head of its queue, or a call's `reply`) into the
// receiver's buffers and table. Everything that can fail comes first, and puts the message back
// if it does.
base::ErrorOr<ReceivedMessage> deliver(Task& receiver, Channel& channel, MessagePointer message,
                                       const IncomingBuffers& buffers, u64& needed, bool reply = false) {
    HandleTable& handles = receiver.handles();
    u32 handle_count = message->handle_count();
    if (message->byte_count() > buffers.byte_capacity || handle_count > buffers.handle_capacity) {
        needed = pack_message_sizes(message->byte_count(), handle_count);
        put_back(channel, base::move(message), reply);
        return base::Error::BufferTooSmall;
    }
    HandleValue values[max_message_handles];
    for (u32 i = 0; i < handle_count; ++i) values[i] = invalid_handle;
    auto delivered = [&]() -> base::ErrorOr<void> {
        if (handle_count) {
            TRY(handles.reserve(handle_count));
            TRY(write_out(buffers, buffers.handles, values, handle_count * sizeof(HandleValue)));
        }
        TRY(write_out(buffers, buffers.bytes, message->bytes(), message->byte_count()));
        return {};
    }();
    if (delivered.is_error()) {
        put_back(channel, base::move(message), reply);
        return delivered.error();
    }
    // The message is off the queue, so the channel ends it carries have left their container
    // (object/channel.h); now its handles move. The room reserved above is not held: should the
    // table have filled meanwhile (another thread of this task), the handles go back and so does
    // the message. Only another thread unmapping the buffer meanwhile could fail the last write:
    // the handles are then in the table, unnamed.
    if (handle_count) {
        for (u32 i = 0; i < handle_count; ++i) {
            auto added = handles.add(base::move(message->handles()[i]));
            if (added.is_ok()) {
                values[i] = added.value();
                continue;
            }
            // add leaves the handle where it was on failure; take back the ones that went in.
            for (u32 j = 0; j < i; ++j) message->handles()[j] = MUST(handles.take(values[j]));
            put_back(channel, base::move(message), reply);
            return added.error();
        }
        TRY(write_out(buffers, buffers.handles, values, handle_count * sizeof(HandleValue)));
    }
    return ReceivedMessage{pack_message_sizes(message->byte_count(), handle_count), message->transaction()};
}

// A thread waiting in channel_receive or channel_call: a small message goes straight into its
// buffer, in its own address space. (The writer then usually blocks, waiting for the reply: the
// scheduler hands the CPU straight to the reader, sched/scheduler.h.)
struct ThreadReader : ChannelReader {
    ThreadReader(Thread& thread, u64 page_table_root_of_thread, u64 user_buffer, u64 capacity) {
        observer.notify = wake_thread;
        observer.context = &thread;
        observer.wanted = signals::readable | signals::peer_closed;
        page_table_root = page_table_root_of_thread;
        buffer = user_buffer;
        byte_capacity = capacity;
    }

    static void wake_thread(SignalObserver& observer) { sched::wake(*static_cast<Thread*>(observer.context)); }
};

// Receives into checked buffers, waiting as `reader` (for this thread and these buffers), which
// may already be waiting at the end (a reply_receive adds it as it sends).
base::ErrorOr<ReceivedMessage> receive(Task& receiver, Channel& channel, const IncomingBuffers& buffers, u64 deadline,
                                       SyscallArguments& arguments, ThreadReader& reader, bool reader_added) {
    constexpr u32 ends_wait = signals::readable | signals::peer_closed;
    for (;; reader_added = false) {
        if (!reader_added) {
            // An empty queue says so in its signals: no attempt is made then.
            if (channel.signals() & ends_wait) {
                auto received = channel_try_receive(receiver, channel, buffers, arguments.error_detail);
                if (!received.failed_with(base::Error::ShouldWait)) return received;
            }
            if (deadline == deadline_now) return base::Error::ShouldWait;
            channel.add_reader(reader);
        }
        base::ErrorOr<void> waited;
        {
            // Released, not only delivered: a direct reader woken for a queued message is off the
            // channel, and should another reader take the message before this thread runs, it
            // must look again and wait anew, not sleep where no wake can reach it.
            arch::InterruptGuard guard;
            waited =
                sched::wait_until([&] { return reader.is_released() || (channel.signals() & ends_wait); }, deadline);
        }
        // Out of the channel's hands first: until then a writer may still deliver to it, even after
        // a timeout. Then a delivered message is this receive's, whatever else happened.
        if (!reader.is_released()) channel.remove_reader(reader);
        if (reader.delivered)
            return ReceivedMessage{pack_message_sizes(reader.delivered_bytes, 0), reader.delivered_transaction};
        if (waited.failed_with(base::Error::TimedOut)) {
            // Nothing came: say what the end shows. (Something that came just now is taken.)
            auto received = channel_try_receive(receiver, channel, buffers, arguments.error_detail);
            if (received.failed_with(base::Error::ShouldWait)) {
                arguments.error_detail = channel.signals();
                return base::Error::TimedOut;
            }
            return received;
        }
        TRY(waited);
    }
}

ThreadReader reader_for(SyscallArguments& arguments, const IncomingBuffers& buffers, u64 byte_room) {
    return ThreadReader(sched::current_thread(), arguments.task.address_space().page_table_root(), buffers.bytes,
                        byte_room);
}

}  // namespace

base::ErrorOr<void> channel_send_message(Task& sender, Channel& channel, const OutgoingMessage& outgoing,
                                         ChannelReader* then_read) {
    return send(sender, channel, outgoing, then_read);
}

base::ErrorOr<u64> check_receive_buffers(const IncomingBuffers& buffers) {
    u64 byte_room = base::min<u64>(buffers.byte_capacity, max_message_bytes);
    u64 handle_room = base::min<u64>(buffers.handle_capacity, max_message_handles);
    if ((byte_room && !arch::is_user_range(buffers.bytes, byte_room)) ||
        (handle_room && !arch::is_user_range(buffers.handles, handle_room * sizeof(HandleValue))))
        return base::Error::BadAddress;
    return byte_room;
}

base::ErrorOr<ReceivedMessage> channel_try_receive(Task& receiver, Channel& channel, const IncomingBuffers& buffers,
                                                   u64& needed) {
    Channel::ReadLimits sizes;
    auto read = channel.read({buffers.byte_capacity, buffers.handle_capacity}, &sizes);
    if (read.failed_with(base::Error::BufferTooSmall)) needed = pack_message_sizes(sizes.bytes, sizes.handles);
    return deliver(receiver, channel, TRY(base::move(read)), buffers, needed);
}

base::ErrorOr<ReceivedMessage> channel_take_reply(Task& receiver, Channel& channel, ChannelReader& call,
                                                  const IncomingBuffers& buffers, base::ErrorOr<void> waited,
                                                  u64& needed) {
    if (call.delivered) return ReceivedMessage{pack_message_sizes(call.delivered_bytes, 0), call.transaction};
    if (call.reply)
        return deliver(receiver, channel, MessagePointer(base::exchange(call.reply, nullptr)), buffers, needed, true);
    TRY(waited);
    return base::Error::PeerClosed;  // let go with no reply: an end closed
}

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
             {arguments.argument[1], arguments.argument[2], arguments.argument[3], arguments.argument[4],
              arguments.argument[5]}));
    return 0;
}

// rdx: the sizes; r8: the message's transaction (0: none).
SyscallResult sys_channel_receive(SyscallArguments& arguments) {
    auto channel = TRY(arguments.task.handles().get_object<Channel>(arguments.argument[0], rights::receive));
    IncomingBuffers buffers{0, arguments.argument[1], arguments.argument[2], arguments.argument[3],
                            arguments.argument[4]};
    u64 byte_room = TRY(check_receive_buffers(buffers));
    ThreadReader reader = reader_for(arguments, buffers, byte_room);
    auto received = TRY(receive(arguments.task, *channel, buffers, arguments.argument[5], arguments, reader, false));
    arguments.argument[4] = received.transaction;
    return received.sizes;
}

namespace {

// channel_call's and channel_reply_receive's arguments, read and checked (bad reply buffers are
// refused before anything is sent).
struct CallBuffers {
    OutgoingMessage request;
    IncomingBuffers reply;
    u64 byte_room;
};

// Filled in place: a struct this size returned by value is copied a byte at a time.
[[gnu::always_inline]] inline base::ErrorOr<void> read_call_arguments(SyscallArguments& arguments, u64 transaction,
                                                                      CallBuffers& buffers) {
    ChannelCallArguments call;
    TRY(arguments.in<ChannelCallArguments>(1).read(&call, 1));
    auto address = [](const void* pointer) { return reinterpret_cast<u64>(pointer); };
    buffers.request = {address(call.send_bytes), call.send_byte_count, address(call.send_handles),
                       call.send_handle_count, transaction};
    buffers.reply = {0, address(call.receive_bytes), call.receive_byte_capacity, address(call.receive_handles),
                     call.receive_handle_capacity};
    buffers.byte_room = TRY(check_receive_buffers(buffers.reply));
    return {};
}

}  // namespace

// A server's reply and its wait for the next message in one call: rdx the sizes, r8 its
// transaction.
SyscallResult sys_channel_reply_receive(SyscallArguments& arguments) {
    auto channel =
        TRY(arguments.task.handles().get_object<Channel>(arguments.argument[0], rights::send | rights::receive));
    CallBuffers call;
    TRY(read_call_arguments(arguments, arguments.argument[3], call));
    ThreadReader reader = reader_for(arguments, call.reply, call.byte_room);
    sched::hand_off_next_wake();  // the client woken by the reply runs while this server waits
    TRY(send(arguments.task, *channel, call.request, &reader));
    auto received = receive(arguments.task, *channel, call.reply, arguments.argument[2], arguments, reader, true);
    if (received.is_error()) {
        arguments.error_detail |= call_request_sent;  // the reply went
        return received.error();
    }
    arguments.argument[4] = received.value().transaction;
    return received.value().sizes;
}

SyscallResult sys_channel_call(SyscallArguments& arguments) {
    auto channel =
        TRY(arguments.task.handles().get_object<Channel>(arguments.argument[0], rights::send | rights::receive));
    CallBuffers call;
    TRY(read_call_arguments(arguments, 0, call));
    auto& request = call.request;
    auto& buffers = call.reply;
    ThreadReader reader = reader_for(arguments, buffers, call.byte_room);
    reader.awaits_reply = true;
    sched::hand_off_next_wake();  // the server woken by the request runs while this caller waits
    // The request goes, with a fresh id, and this caller waits for the reply carrying it, put in
    // place in the same step.
    TRY(send(arguments.task, *channel, request, &reader));
    base::ErrorOr<void> waited;
    {
        arch::InterruptGuard guard;
        waited = sched::wait_until([&] { return reader.is_released(); }, arguments.argument[2]);
    }
    // Until it is off the channel a reply may still come; one that came is the call's.
    if (!reader.is_released()) channel->remove_call(reader);
    auto reply = channel_take_reply(arguments.task, *channel, reader, buffers, waited, arguments.error_detail);
    if (reply.is_error()) {
        arguments.error_detail |= call_request_sent;  // the handles are gone
        return reply.error();
    }
    return reply.value().sizes;
}
