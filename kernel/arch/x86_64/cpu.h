#pragma once

// Thin wrappers over x86_64 instructions. Only code under arch/x86_64 includes this.

#include <base/types.h>

namespace x86_64 {

inline void outb(u16 port, u8 value) { asm volatile("outb %0, %1" : : "a"(value), "Nd"(port)); }
inline u8 inb(u16 port) {
    u8 value;
    asm volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}

inline u64 read_msr(u32 msr) {
    u32 low, high;
    asm volatile("rdmsr" : "=a"(low), "=d"(high) : "c"(msr));
    return (u64(high) << 32) | low;
}
inline void write_msr(u32 msr, u64 value) {
    asm volatile("wrmsr" : : "c"(msr), "a"(u32(value)), "d"(u32(value >> 32)));
}

inline u64 read_cr0() {
    u64 value;
    asm volatile("mov %%cr0, %0" : "=r"(value));
    return value;
}
inline u64 read_cr2() {
    u64 value;
    asm volatile("mov %%cr2, %0" : "=r"(value));
    return value;
}
inline u64 read_cr3() {
    u64 value;
    asm volatile("mov %%cr3, %0" : "=r"(value));
    return value;
}
inline void write_cr3(u64 value) { asm volatile("mov %0, %%cr3" : : "r"(value) : "memory"); }
inline u64 read_cr4() {
    u64 value;
    asm volatile("mov %%cr4, %0" : "=r"(value));
    return value;
}
inline void write_cr4(u64 value) { asm volatile("mov %0, %%cr4" : : "r"(value) : "memory"); }

inline void invlpg(u64 address) { asm volatile("invlpg (%0)" : : "r"(address) : "memory"); }

struct CpuidResult {
    u32 eax, ebx, ecx, edx;
};
inline CpuidResult cpuid(u32 leaf, u32 subleaf = 0) {
    CpuidResult r;
    asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
    return r;
}

namespace msr {
constexpr u32 apic_base = 0x1b;
constexpr u32 efer = 0xc0000080;
constexpr u32 star = 0xc0000081;
constexpr u32 lstar = 0xc0000082;
constexpr u32 sfmask = 0xc0000084;
constexpr u32 fs_base = 0xc0000100;
constexpr u32 gs_base = 0xc0000101;
constexpr u32 kernel_gs_base = 0xc0000102;
}  // namespace msr

}  // namespace x86_64
