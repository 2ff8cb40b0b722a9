#pragma once

#include <base/types.h>

namespace x86_64 {

// Sends legacy (ISA) interrupt line `irq` to `vector` on this CPU: edge-triggered, active high,
// as ISA lines are. The I/O APIC is taken to be at its standard address (0xfec00000, QEMU's and
// most PCs'), and ISA line N at its input N (QEMU's q35 overrides only the timer's line 0).
void route_isa_interrupt(u8 irq, u8 vector);

}  // namespace x86_64
