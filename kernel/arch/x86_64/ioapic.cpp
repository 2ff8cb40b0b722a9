// The I/O APIC: where the legacy devices' interrupt lines (here only COM1's) reach the local
// APIC, now that the 8259 PIC is masked (apic.cpp).

#include <arch/x86_64/apic.h>
#include <arch/x86_64/ioapic.h>
#include <mm/physical_memory.h>

namespace x86_64 {
namespace {

constexpr u64 ioapic_base = 0xfec00000;
constexpr u32 select_register = 0x00, window_register = 0x10;
constexpr u32 redirection_table = 0x10;  // two 32-bit registers per input

void write_register(u32 index, u32 value) {
    auto* registers = static_cast<volatile u32*>(mm::physical_to_virtual(ioapic_base));
    registers[select_register / 4] = index;
    registers[window_register / 4] = value;
}

}  // namespace

void route_isa_interrupt(u8 irq, u8 vector) {
    u32 entry = redirection_table + 2u * irq;
    // Destination first (the upper half), then the vector, unmasked: fixed delivery, physical
    // destination, edge-triggered, active high.
    write_register(entry + 1, apic_id() << 24);
    write_register(entry, vector);
}

}  // namespace x86_64
