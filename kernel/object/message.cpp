#include <mm/heap.h>
#include <object/message.h>

namespace {

u64 charged_bytes(u32 byte_count, u32 handle_count) {
    return byte_count + u64(handle_count) * Message::bytes_charged_per_handle;
}

}  // namespace

base::ErrorOr<MessagePointer> Message::create(u32 byte_count, u32 handle_count, ResourceAccount* account) {
    if (account)
        TRY(account->charge(Resource::QueuedMessages, 1, Resource::QueuedBytes,
                            charged_bytes(byte_count, handle_count)));
    usize size = sizeof(Message) + handle_count * sizeof(Handle) + byte_count;
    void* storage = mm::allocate(size);
    if (!storage) {
        if (account)
            account->release(Resource::QueuedMessages, 1, Resource::QueuedBytes,
                             charged_bytes(byte_count, handle_count));
        return base::Error::NoMemory;
    }
    auto* message = new (storage) Message(byte_count, handle_count, account);
    for (u32 i = 0; i < handle_count; ++i) new (&message->handles()[i]) Handle();
    return MessagePointer(message);
}

Message::~Message() {
    if (account_)
        account_->release(Resource::QueuedMessages, 1, Resource::QueuedBytes,
                          charged_bytes(byte_count_, handle_count_));
}

void Message::destroy(Message* message) {
    for (u32 i = 0; i < message->handle_count_; ++i) message->handles()[i].~Handle();
    message->~Message();
    mm::free(message);
}
