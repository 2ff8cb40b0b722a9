// channel_create, channel_send, channel_receive, channel_call.

#include <arch/paging.h>
#include <base/narrow.h>
#include <object/channel.h>
#include <sched/wait.h>
#include <syscall/channel_send.h>
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

// Sends `outgoing`; `then_read`, if given, then waits at the same end (a call's reply), put in
// place in the same step. On error nothing was sent and the reader is not in place.
// Inlined into both its callers: it is the hot path of channel_send and channel_call.
[[gnu::always_inline]] inline base::ErrorOr<void> send(Task& sender, Channel& channel, const OutgoingMessage& outgoing,
                                                       ChannelReader* then_read = nullptr) {
    if (outgoing.byte_count > max_message_bytes) return base::Error::InvalidArgument;
    if (outgoing.handle_count == 0 && outgoing.byte_count <= Channel::direct_message_limit) {
        // Small and without handles: the channel may hand it straight to a waiting reader.
        u8 bytes[Channel::direct_message_limit];
        TRY(outgoing.bytes.read(bytes, outgoing.byte_count));
        base::ReadonlyBytes message(bytes, outgoing.byte_count);
        return channel.write_bytes(message, &sender.account(), then_read);
    }
    struct Boarding {
        explicit Boarding(Task& sender) : sender(sender) {}  // the transfer's arrays stay unfilled
        HandleTransfer transfer;
        Task& sender;
    } boarding(sender);
    TRY(boarding.transfer.check(sender, outgoing.handles, outgoing.handle_count, &channel));
    MessagePointer message = TRY(Message::create(base::narrow<u32>(outgoing.byte_count),
                                                 base::narrow<u32>(boarding.transfer.count()), &sender.account()));
    TRY(outgoing.bytes.read(message->bytes(), outgoing.byte_count));
    auto board = [](void* context, Message& message) {
        auto& boarding = *static_cast<Boarding*>(context);
        boarding.transfer.take_into(boarding.sender, message.handles());
    };
    return channel.write(message, boarding.transfer.passengers(), board, &boarding, then_read);
}

// A thread waiting in channel_receive: a small message goes straight into its buffer, in its own
// address space. (The writer then usually blocks, waiting for the reply: the scheduler hands the
// CPU straight to the reader, sched/scheduler.h.)
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

// One non-blocking attempt: the head message into the caller's buffers and table, or ShouldWait.
// A message that cannot be delivered (too big, bad memory, a full table) stays queued.
base::ErrorOr<u64> try_receive(Channel& channel, const IncomingBuffers& buffers, SyscallArguments& arguments) {
    HandleTable& handles = arguments.task.handles();
    Channel::ReadLimits needed;
    auto read = channel.read({buffers.byte_capacity, buffers.handle_capacity}, &needed);
    if (read.failed_with(base::Error::BufferTooSmall))
        arguments.error_detail = pack_message_sizes(needed.bytes, needed.handles);
    MessagePointer message = TRY(base::move(read));
    u32 handle_count = message->handle_count();
    HandleValue values[max_message_handles];
    for (u32 i = 0; i < handle_count; ++i) values[i] = invalid_handle;
    // Everything that can fail comes first, and puts the message back if it does.
    auto delivered = [&]() -> base::ErrorOr<void> {
        if (handle_count) {
            TRY(handles.reserve(handle_count));
            TRY(buffers.handles.write(values, handle_count));
        }
        TRY(buffers.bytes.write(message->bytes(), message->byte_count()));
        return {};
    }();
    if (delivered.is_error()) {
        channel.unread(base::move(message));
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
            channel.unread(base::move(message));
            return added.error();
        }
        TRY(buffers.handles.write(values, handle_count));
    }
    return pack_message_sizes(message->byte_count(), handle_count);
}

// The buffers as declared (up to the largest message) must lie in user space; only what the
// message fills is written. Returns the room for bytes.
base::ErrorOr<u64> check_receive_buffers(const IncomingBuffers& buffers) {
    u64 byte_room = base::min<u64>(buffers.byte_capacity, max_message_bytes);
    u64 handle_room = base::min<u64>(buffers.handle_capacity, max_message_handles);
    if ((byte_room && !arch::is_user_range(buffers.bytes.address(), byte_room)) ||
        (handle_room && !arch::is_user_range(buffers.handles.address(), handle_room * sizeof(HandleValue))))
        return base::Error::BadAddress;
    return byte_room;
}

// Receives into checked buffers. `reader`, for this thread and these buffers, may already be
// waiting at the end (a call adds it as it sends).
base::ErrorOr<u64> receive(Channel& channel, const IncomingBuffers& buffers, u64 deadline, SyscallArguments& arguments,
                           ThreadReader& reader, bool reader_added) {
    constexpr u32 ends_wait = signals::readable | signals::peer_closed;
    for (;; reader_added = false) {
        if (!reader_added) {
            // An empty queue says so in its signals: no attempt is made then.
            if (channel.signals() & ends_wait) {
                auto received = try_receive(channel, buffers, arguments);
                if (!received.failed_with(base::Error::ShouldWait)) return received;
            }
            if (deadline == deadline_now) return base::Error::ShouldWait;
            channel.add_reader(reader);
        }
        base::ErrorOr<void> waited;
        {
            arch::InterruptGuard guard;
            waited = sched::wait_until([&] { return reader.delivered || (channel.signals() & ends_wait); }, deadline);
        }
        // Out of the channel's hands first: until then a writer may still deliver to it, even after
        // a timeout. Then a delivered message is this receive's, whatever else happened.
        if (!reader.is_released()) channel.remove_reader(reader);
        if (reader.delivered) return pack_message_sizes(reader.delivered_bytes, 0);
        if (waited.failed_with(base::Error::TimedOut)) {
            // Nothing came: say what the end shows. (Something that came just now is taken.)
            auto received = try_receive(channel, buffers, arguments);
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
    return ThreadReader(sched::current_thread(), arguments.task.address_space().page_table_root(),
                        buffers.bytes.address(), byte_room);
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

base::ErrorOr<void> channel_send_from_user(Task& sender, Channel& channel, u64 bytes, u64 byte_count) {
    return send(sender, channel, {UserIn<u8>(bytes), byte_count, UserIn<HandleValue>(0), 0});
}

SyscallResult sys_channel_send(SyscallArguments& arguments) {
    auto channel = TRY(arguments.task.handles().get_object<Channel>(arguments.argument[0], rights::send));
    TRY(send(arguments.task, *channel,
             {arguments.in<u8>(1), arguments.argument[2], arguments.in<HandleValue>(3), arguments.argument[4]}));
    return 0;
}

SyscallResult sys_channel_receive(SyscallArguments& arguments) {
    auto channel = TRY(arguments.task.handles().get_object<Channel>(arguments.argument[0], rights::receive));
    IncomingBuffers buffers{arguments.out<u8>(1), arguments.argument[2], arguments.out<HandleValue>(3),
                            arguments.argument[4]};
    u64 byte_room = TRY(check_receive_buffers(buffers));
    ThreadReader reader = reader_for(arguments, buffers, byte_room);
    return receive(*channel, buffers, arguments.argument[5], arguments, reader, false);
}

SyscallResult sys_channel_call(SyscallArguments& arguments) {
    auto channel =
        TRY(arguments.task.handles().get_object<Channel>(arguments.argument[0], rights::send | rights::receive));
    auto call = TRY(arguments.in<ChannelCallArguments>(1).read());
    auto address = [](const void* pointer) { return reinterpret_cast<u64>(pointer); };
    OutgoingMessage request{UserIn<u8>(address(call.send_bytes)), call.send_byte_count,
                            UserIn<HandleValue>(address(call.send_handles)), call.send_handle_count};
    IncomingBuffers buffers{UserOut<u8>(address(call.receive_bytes)), call.receive_byte_capacity,
                            UserOut<HandleValue>(address(call.receive_handles)), call.receive_handle_capacity};
    // Bad reply buffers are refused before anything is sent.
    u64 byte_room = TRY(check_receive_buffers(buffers));
    ThreadReader reader = reader_for(arguments, buffers, byte_room);
    sched::hand_off_next_wake();  // the server woken by the request runs while this caller waits
    // The request goes, and this caller's wait for the reply is in place, in one step.
    TRY(send(arguments.task, *channel, request, &reader));
    auto reply = receive(*channel, buffers, arguments.argument[2], arguments, reader, true);
    if (reply.is_error()) arguments.error_detail |= call_request_sent;  // the handles are gone
    return reply;
}
