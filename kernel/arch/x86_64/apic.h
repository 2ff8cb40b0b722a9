#pragma once

#include <base/types.h>

namespace x86_64 {

void apic_end_of_interrupt();
// This CPU's local APIC id (where the I/O APIC sends interrupts).
u32 apic_id();

}  // namespace x86_64
