// Runs one descriptor-table instruction in user mode and exits 0 if it ran. With UMIP on, each
// of them must instead end the task with a general protection fault (status -1013). Its first
// start handle is a channel on which one byte picks the instruction (see umip_test.cpp).

#include <poplar/channel.h>
#include <poplar/start.h>

namespace {

struct [[gnu::packed]] TablePointer {
    u16 limit;
    u64 base;
};

}  // namespace

int main(const poplar::abi::StartInfo& start_info) {
    if (start_info.handle_count < 1) return 3;
    poplar::Channel channel(start_info.handles[0]);
    u8 instruction = 0;
    if (channel.receive(base::Bytes(&instruction, 1)).is_error()) return 4;
    TablePointer table{};
    u64 value = 0;
    switch (instruction) {
        case 0:
            asm volatile("sgdt %0" : "=m"(table));
            break;
        case 1:
            asm volatile("sidt %0" : "=m"(table));
            break;
        case 2:
            asm volatile("sldt %0" : "=r"(value));
            break;
        case 3:
            asm volatile("smsw %0" : "=r"(value));
            break;
        case 4:
            asm volatile("str %0" : "=r"(value));
            break;
        default:
            return 5;
    }
    asm volatile("" : : "r"(value), "m"(table));
    return 0;
}
