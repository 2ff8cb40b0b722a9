// The stacks that belong to no thread, for backtraces (debug/backtrace.cpp).

#include <arch/arch.h>
#include <arch/x86_64/gdt.h>

extern "C" char boot_stack_bottom[], boot_stack_top[];

bool arch::find_fixed_stack(u64 address, StackBounds& bounds) {
    bounds = {reinterpret_cast<u64>(boot_stack_bottom), reinterpret_cast<u64>(boot_stack_top)};
    if (bounds.contains(address, 1)) return true;
    for (u8 slot = 1; slot <= x86_64::interrupt_stack::count; ++slot) {
        u64 top = x86_64::interrupt_stack_top(slot);
        bounds = {top - x86_64::interrupt_stack::size, top};
        if (bounds.contains(address, 1)) return true;
    }
    return false;
}
