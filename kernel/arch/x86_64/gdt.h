#pragma once

#include <base/types.h>

namespace x86_64 {

// Segment selectors. The order is fixed by syscall/sysret: STAR takes the kernel code selector
// and derives kernel data (+8), and from the user base derives user data (+8) and code (+16).
namespace selector {
constexpr u16 kernel_code = 0x08;
constexpr u16 kernel_data = 0x10;
constexpr u16 user_base = 0x10;  // for STAR[63:48]
constexpr u16 user_data = 0x18 | 3;
constexpr u16 user_code = 0x20 | 3;
constexpr u16 tss = 0x28;
}  // namespace selector

// Interrupt stack table slots (TSS.IST1..3): exceptions that must not trust the current stack.
namespace interrupt_stack {
constexpr u8 double_fault = 1;
constexpr u8 nmi = 2;
constexpr u8 machine_check = 3;
constexpr u8 count = 3;
constexpr usize size = 16 * 1024;
}  // namespace interrupt_stack

// Loads this CPU's GDT and TSS.
void initialize_gdt();

// The top of the interrupt stack in slot 1..interrupt_stack::count.
u64 interrupt_stack_top(u8 slot);

// The stack the CPU switches to when an interrupt arrives in user mode.
void set_kernel_stack(u64 stack_top);

}  // namespace x86_64
