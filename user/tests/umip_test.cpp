// User mode must not read where the kernel keeps its descriptor tables: where the CPU has UMIP
// (CPUID.(EAX=7,ECX=0):ECX bit 2; the kernel turns it on there), sgdt, sidt, sldt, smsw and str
// each end the task with a general protection fault. Where it has not, they run, and the test
// says so. Needs the boot module umip_probe.

#include <poplar/channel.h>
#include <poplar/print.h>
#include <poplar/start.h>
#include <poplar/task.h>

#include "test.h"

namespace abi = poplar::abi;
namespace sys = poplar::sys;

namespace {

constexpr u64 millisecond = 1'000'000;
constexpr i64 general_protection_status = -1000 - 13;

bool cpu_has_umip() {
    u32 eax = 7, ebx, ecx = 0, edx;
    asm volatile("cpuid" : "+a"(eax), "=b"(ebx), "+c"(ecx), "=d"(edx));
    return ecx & (1 << 2);
}

i64 run_probe(u8 instruction) {
    auto pair = poplar::Channel::create();
    if (pair.is_error()) return -999999;
    poplar::Handle handles[1] = {base::move(pair.value().second)};
    auto task = poplar::Task::spawn("umip_probe", base::Span<poplar::Handle>(handles));
    if (task.is_error() || pair.value().first.send(base::ReadonlyBytes(&instruction, 1)).is_error()) return -999998;
    auto status = task.value().wait(sys::deadline_after(5000 * millisecond));
    return status.is_ok() ? status.value() : -888888;
}

USER_TEST(descriptor_table_instructions_fault_where_umip_is_present) {
    bool umip = cpu_has_umip();
    poplar::println(umip ? "umip_test: the CPU has UMIP: expecting faults"
                         : "umip_test: the CPU has no UMIP: the instructions run");
    const char* names[] = {"sgdt", "sidt", "sldt", "smsw", "str"};
    for (u8 instruction = 0; instruction < 5; ++instruction) {
        i64 status = run_probe(instruction);
        poplar::println("umip_test: {} in user mode: status {}", names[instruction], status);
        EXPECT_EQ(status, umip ? general_protection_status : 0);
    }
}

}  // namespace

int main(const abi::StartInfo&) { return usertest::run_all_tests("umip_test"); }
