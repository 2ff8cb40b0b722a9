#pragma once

namespace x86_64 {

void apic_end_of_interrupt();

}  // namespace x86_64
