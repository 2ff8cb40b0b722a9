#include <arch/x86_64/cpu.h>
#include <arch/x86_64/gdt.h>
#include <arch/x86_64/per_cpu.h>
#include <arch/x86_64/rflags.h>
#include <debug/log.h>

extern "C" char syscall_entry[];

namespace x86_64 {

bool smap_active = false;

namespace {

PerCpu boot_cpu;

namespace cr0 {
constexpr u64 monitor_coprocessor = 1 << 1, emulation = 1 << 2, numeric_error = 1 << 5;
}
namespace cr4 {
constexpr u64 osfxsr = 1 << 9, osxmmexcpt = 1 << 10, umip = 1 << 11, smep = 1 << 20, smap = 1 << 21;
}

void enable_fpu() {
    u64 value = read_cr0();
    value &= ~cr0::emulation;
    value |= cr0::monitor_coprocessor | cr0::numeric_error;
    asm volatile("mov %0, %%cr0" : : "r"(value));
    write_cr4(read_cr4() | cr4::osfxsr | cr4::osxmmexcpt);
}

// UMIP makes sgdt, sidt, sldt, smsw and str fault in user mode, where they would show where the
// kernel keeps its tables.
void enable_protection() {
    auto features = cpuid(7, 0);
    bool has_smep = features.ebx & (1 << 7);
    bool has_smap = features.ebx & (1 << 20);
    bool has_umip = features.ecx & (1 << 2);
    u64 value = read_cr4();
    if (has_smep) value |= cr4::smep;
    if (has_smap) value |= cr4::smap;
    if (has_umip) value |= cr4::umip;
    write_cr4(value);
    smap_active = has_smap;
    log::info("cpu: SMEP {}, SMAP {}, UMIP {}", has_smep ? "on" : "absent", has_smap ? "on" : "absent",
              has_umip ? "on" : "absent");
}

void enable_syscall() {
    write_msr(msr::efer, read_msr(msr::efer) | 1);  // syscall enable
    write_msr(msr::star, (u64(selector::user_base) << 48) | (u64(selector::kernel_code) << 32));
    write_msr(msr::lstar, reinterpret_cast<u64>(syscall_entry));
    write_msr(msr::sfmask, rflags::syscall_mask);
}

}  // namespace

void initialize_cpu() {
    boot_cpu.self = &boot_cpu;
    write_msr(msr::gs_base, reinterpret_cast<u64>(&boot_cpu));
    write_msr(msr::kernel_gs_base, 0);
    enable_fpu();
    enable_protection();
    enable_syscall();
}

PerCpu& this_cpu() { return boot_cpu; }

}  // namespace x86_64
