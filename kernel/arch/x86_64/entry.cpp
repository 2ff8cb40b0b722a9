// The first C++ code to run (called from boot.S on the boot stack, in the higher half).

#include <arch/x86_64/gdt.h>
#include <arch/x86_64/idt.h>
#include <arch/x86_64/multiboot.h>
#include <arch/x86_64/per_cpu.h>
#include <arch/x86_64/serial.h>
#include <arch/x86_64/vga_text.h>
#include <main.h>

extern "C" [[noreturn]] void kernel_entry(u32 multiboot_magic, u64 multiboot_info_physical) {
    run_global_constructors();
    x86_64::serial::initialize();
    x86_64::vga_text::initialize();
    x86_64::initialize_gdt();
    x86_64::initialize_idt();
    x86_64::initialize_cpu();
    x86_64::read_multiboot_info(multiboot_magic, multiboot_info_physical);
    kernel_main();
}
