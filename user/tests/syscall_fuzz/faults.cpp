#include "faults.h"

#include <poplar/syscall.h>

#include "raw_call.h"

namespace fuzz {

namespace {

namespace abi = poplar::abi;
namespace sys = poplar::sys;

// Exception vectors, and the exit status a fault gives: -1000 - vector (docs/syscalls.md).
constexpr i64 divide_error = 0, debug = 1, breakpoint = 3, invalid_opcode = 6, general_protection = 13, page_fault = 14;
constexpr i64 status_of(i64 vector) { return -1000 - vector; }

constexpr u64 kernel_address = 0xffffffff80000000ull;
constexpr u64 non_canonical_address = 0x8000000000000000ull;

volatile u64 recursion_limit = ~u64(0);  // never reached: keeps the compiler from seeing an endless loop

[[gnu::noinline]] u64 recurse(u64 depth) {
    volatile u8 frame[1024];
    frame[0] = static_cast<u8>(depth);
    if (depth == recursion_limit) return 0;
    return recurse(depth + 1) + frame[0];
}

// Puts `syscall` in the last two bytes below user_space_end and runs it: the return address is
// user_space_end itself, where nothing can be mapped.
void syscall_at_end_of_user_space(u64 flags) {
    constexpr u64 code_page = abi::user_space_end - abi::page_size;
    auto object =
        sys::memory_object_create(abi::page_size, abi::memory_flags::writable | abi::memory_flags::executable);
    if (object.is_error()) return;
    auto view = sys::memory_object_map(object.value(), 0, abi::memory_flags::writable);
    if (view.is_error()) return;
    auto* code = reinterpret_cast<u8*>(view.value());
    for (u64 i = 0; i < abi::page_size; ++i) code[i] = 0x0f;  // (ud2 is 0f 0b: unused)
    code[abi::page_size - 2] = 0x0f;                          // syscall
    code[abi::page_size - 1] = 0x05;
    if (sys::memory_object_map(object.value(), code_page, abi::memory_flags::executable).is_error()) return;
    u64 target = abi::user_space_end - 2;
    u64 loaded = (flags & user_settable_flags) | flags_always_set;
    asm volatile(
        "sub $128, %%rsp\n\t"
        "pushq %[flags]\n\t"
        "popfq\n\t"
        "mov $2, %%eax\n\t"  // yield
        "jmp *%[target]"
        :
        : [flags] "r"(loaded), [target] "r"(target)
        : "rax", "rcx", "r11", "memory", "cc");
}

}  // namespace

bool fault_status_expected(FaultKind kind, i64 status) {
    switch (kind) {
        case FaultKind::kernel_write:
        case FaultKind::text_write:
        case FaultKind::null_jump:
        case FaultKind::stack_overflow:
        case FaultKind::bad_stack_syscall:
        case FaultKind::syscall_at_user_end:
            return status == status_of(page_fault);
        case FaultKind::invalid_opcode:
            return status == status_of(invalid_opcode);
        case FaultKind::divide:
            return status == status_of(divide_error);
        case FaultKind::breakpoint:
            // The gate may be open to user mode (#BP) or not (#GP).
            return status == status_of(breakpoint) || status == status_of(general_protection);
        case FaultKind::privileged:
        case FaultKind::non_canonical:
            return status == status_of(general_protection);
        case FaultKind::single_step:
            return status == status_of(debug);
        case FaultKind::count:
            break;
    }
    return false;
}

void die_of(FaultKind kind, u64 flags) {
    switch (kind) {
        case FaultKind::kernel_write:
            *reinterpret_cast<volatile u64*>(kernel_address) = 1;
            break;
        case FaultKind::text_write:
            *reinterpret_cast<volatile u8*>(reinterpret_cast<uptr>(&recurse)) = 0xcc;
            break;
        case FaultKind::null_jump:
            asm volatile("xor %%eax, %%eax\n\tjmp *%%rax" ::: "rax");
            break;
        case FaultKind::invalid_opcode:
            asm volatile("ud2");
            break;
        case FaultKind::divide:
            asm volatile("xor %%edx, %%edx\n\txor %%ecx, %%ecx\n\tmov $1, %%eax\n\tdiv %%ecx" ::: "rax", "rcx", "rdx");
            break;
        case FaultKind::breakpoint:
            asm volatile("int3");
            break;
        case FaultKind::privileged:
            asm volatile("hlt");
            break;
        case FaultKind::non_canonical: {
            u64 address = non_canonical_address;
            asm volatile("mov (%0), %0" : "+r"(address)::"memory");
            break;
        }
        case FaultKind::single_step:
            asm volatile("sub $128, %%rsp\n\tpushfq\n\torq $0x100, (%%rsp)\n\tpopfq\n\tnop\n\tnop\n\tadd $128, %%rsp" ::
                             : "memory", "cc");
            break;
        case FaultKind::stack_overflow:
            recurse(0);
            break;
        case FaultKind::bad_stack_syscall: {
            // The kernel returns to a stack pointer it cannot use itself; the next push faults in
            // user mode.
            u64 loaded = (flags & user_settable_flags) | flags_always_set;
            asm volatile(
                "pushq %[flags]\n\t"
                "popfq\n\t"
                "mov %[stack], %%rsp\n\t"
                "mov $2, %%eax\n\t"
                "syscall\n\t"
                "pushq %%rax"
                :
                : [flags] "r"(loaded), [stack] "r"(kernel_address)
                : "rax", "rcx", "r11", "memory", "cc");
            break;
        }
        case FaultKind::syscall_at_user_end:
            syscall_at_end_of_user_space(flags);
            break;
        case FaultKind::count:
            break;
    }
    sys::task_exit(-999);
}

}  // namespace fuzz
