// A partner for quota_test: while another task has used up one of its quotas, this task shows
// that its own work goes on. Its first start handle is an event: once it is signaled, the task
// uses each kind of resource once and exits 0 if all of it worked (10 + the step that failed
// otherwise).

#include <poplar/channel.h>
#include <poplar/event.h>
#include <poplar/memory_object.h>
#include <poplar/start.h>

namespace {

int use_every_resource() {
    auto pair = poplar::Channel::create();
    if (pair.is_error()) return 11;
    u8 bytes[64] = {1, 2, 3};
    if (pair.value().first.send(base::ReadonlyBytes(bytes)).is_error()) return 12;
    if (pair.value().second.receive(base::Bytes(bytes), {}, poplar::abi::deadline_now).is_error()) return 13;
    auto memory = poplar::MemoryObject::create(64 * 1024);
    if (memory.is_error()) return 14;
    auto mapping = memory.value().map();
    if (mapping.is_error()) return 15;
    mapping.value().data()[0] = 1;
    auto event = poplar::Event::create();
    if (event.is_error()) return 16;
    return 0;
}

}  // namespace

int main(const poplar::abi::StartInfo& start_info) {
    if (start_info.handle_count < 1) return 3;
    poplar::Event go(start_info.handles[0]);
    if (go.wait(poplar::abi::signals::signaled).is_error()) return 4;
    return use_every_resource();
}
