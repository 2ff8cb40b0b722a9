// The demo: a user task that starts another in its own address space, talks to it over a
// channel, moves a handle there and back, and reports what the kernel charged each of them.

#include <poplar/channel.h>
#include <poplar/event.h>
#include <poplar/print.h>
#include <poplar/start.h>
#include <poplar/task.h>

using namespace poplar;

int main(const abi::StartInfo& info) {
    println("hello: I am task \"{}\", running in ring 3", info.name);
    auto pair = Channel::create();
    if (pair.is_error()) return 1;
    Handle for_child[] = {base::move(pair.value().second)};
    auto child = Task::spawn("child_echo", for_child);
    if (child.is_error()) return 2;
    println("hello: started child_echo and gave it one end of a channel");

    const char text[] = "ping over a channel";
    u8 reply[64];
    auto event = Event::create();
    if (event.is_error()) return 3;
    u64 event_id = event.value().info().value().object_id;
    Handle outgoing[] = {base::move(event.value())};
    Handle returned[1];
    auto sizes = pair.value().first.call(base::ReadonlyBytes(reinterpret_cast<const u8*>(text), sizeof(text) - 1),
                                         outgoing, base::Bytes(reply), returned);
    if (sizes.is_error()) return 4;
    println("hello: the echo came back: \"{}\" with {} handle (the same event: {})",
            base::StringView(reinterpret_cast<const char*>(reply), sizes.value().bytes), sizes.value().handles,
            returned[0].info().value().object_id == event_id);

    pair.value().first.reset();  // child_echo sees peer_closed and exits
    auto status = child.value().wait();
    auto time = child.value().cpu_time();
    if (status.is_error() || time.is_error()) return 5;
    println("hello: child_echo exited with status {} after {} us of user time and {} us in the kernel", status.value(),
            time.value().user_nanoseconds / 1000, time.value().kernel_nanoseconds / 1000);
    return 0;
}
