#include <arch/x86_64/gdt.h>
#include <arch/x86_64/idt.h>

extern "C" char trap_stubs[];

namespace x86_64 {
namespace {

struct [[gnu::packed]] Gate {
    u16 offset_low;
    u16 selector;
    u8 ist;
    u8 type_attributes;
    u16 offset_middle;
    u32 offset_high;
    u32 reserved;
};
static_assert(sizeof(Gate) == 16);

struct [[gnu::packed]] IdtPointer {
    u16 limit;
    u64 base;
};

constexpr usize stub_size = 16;
constexpr u8 interrupt_gate = 0x8e;  // present, ring 0, 64-bit interrupt gate (interrupts off)

Gate idt[256];

Gate make_gate(u64 handler, u8 ist) {
    return Gate{u16(handler), selector::kernel_code, ist, interrupt_gate, u16(handler >> 16), u32(handler >> 32), 0};
}

}  // namespace

void initialize_idt() {
    for (usize vector = 0; vector < 256; ++vector) {
        u8 ist = 0;
        if (vector == 8) ist = interrupt_stack::double_fault;
        if (vector == 2) ist = interrupt_stack::nmi;
        if (vector == 18) ist = interrupt_stack::machine_check;
        idt[vector] = make_gate(reinterpret_cast<u64>(trap_stubs + vector * stub_size), ist);
    }
    IdtPointer pointer{sizeof(idt) - 1, reinterpret_cast<u64>(idt)};
    asm volatile("lidt %0" : : "m"(pointer));
}

}  // namespace x86_64
