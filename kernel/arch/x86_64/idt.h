#pragma once

#include <base/types.h>

namespace x86_64 {

namespace vector {
constexpr u8 double_fault = 8;
constexpr u8 page_fault = 14;
constexpr u8 timer = 32;
constexpr u8 serial = 36;  // COM1's IRQ 4, routed through the I/O APIC
constexpr u8 spurious = 0xff;
}  // namespace vector

void initialize_idt();

}  // namespace x86_64
