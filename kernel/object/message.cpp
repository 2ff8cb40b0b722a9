#include <mm/heap.h>
#include <object/message.h>

base::ErrorOr<Message*> Message::create(u32 byte_count, u32 handle_count) {
    usize size = sizeof(Message) + handle_count * sizeof(Handle) + byte_count;
    void* storage = mm::allocate(size);
    if (!storage) return base::Error::NoMemory;
    auto* message = new (storage) Message(byte_count, handle_count);
    for (u32 i = 0; i < handle_count; ++i) new (&message->handles()[i]) Handle();
    return message;
}

void Message::destroy(Message* message) {
    for (u32 i = 0; i < message->handle_count_; ++i) message->handles()[i].~Handle();
    message->~Message();
    mm::free(message);
}
