#include <arch/x86_64/gdt.h>

namespace x86_64 {
namespace {

struct [[gnu::packed]] TaskStateSegment {
    u32 reserved0;
    u64 rsp[3];
    u64 reserved1;
    u64 ist[7];
    u64 reserved2;
    u16 reserved3;
    u16 io_map_base;
};
static_assert(sizeof(TaskStateSegment) == 104);

struct [[gnu::packed]] DescriptorPointer {
    u16 limit;
    u64 base;
};

// One CPU for now; these become per-CPU state when SMP arrives.
alignas(16) u8 interrupt_stacks[interrupt_stack::count][interrupt_stack::size];
TaskStateSegment tss;
u64 gdt[7];

}  // namespace

void initialize_gdt() {
    gdt[0] = 0;
    gdt[1] = 0x00af9a000000ffff;  // kernel code: present, ring 0, executable, long mode
    gdt[2] = 0x00cf92000000ffff;  // kernel data
    gdt[3] = 0x00cff2000000ffff;  // user data: ring 3
    gdt[4] = 0x00affa000000ffff;  // user code: ring 3, long mode

    for (u8 slot = 1; slot <= interrupt_stack::count; ++slot) tss.ist[slot - 1] = interrupt_stack_top(slot);
    tss.io_map_base = sizeof(TaskStateSegment);  // no I/O permission bitmap

    u64 base = reinterpret_cast<u64>(&tss);
    u64 limit = sizeof(TaskStateSegment) - 1;
    gdt[5] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (u64(0x89) << 40) | (((limit >> 16) & 0xf) << 48) |
             (((base >> 24) & 0xff) << 56);
    gdt[6] = base >> 32;

    DescriptorPointer pointer{sizeof(gdt) - 1, reinterpret_cast<u64>(gdt)};
    asm volatile(
        "lgdt %0\n"
        "pushq %1\n"
        "leaq 1f(%%rip), %%rax\n"
        "pushq %%rax\n"
        "lretq\n"
        "1:\n"
        "mov %2, %%ds\n"
        "mov %2, %%es\n"
        "mov %2, %%ss\n"
        :
        : "m"(pointer), "i"(u64(selector::kernel_code)), "r"(u32(selector::kernel_data))
        : "rax", "memory");
    asm volatile("ltr %0" : : "r"(u16(selector::tss)));
}

u64 interrupt_stack_top(u8 slot) { return reinterpret_cast<u64>(&interrupt_stacks[slot - 1][interrupt_stack::size]); }

void set_kernel_stack(u64 stack_top) { tss.rsp[0] = stack_top; }

}  // namespace x86_64
