// x86_64's side of the arch interface (arch/arch.h).

#include <arch/arch.h>
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/idt.h>
#include <arch/x86_64/ioapic.h>
#include <arch/x86_64/serial.h>
#include <arch/x86_64/vga_text.h>

namespace arch {

void wait_for_interrupt() { asm volatile("sti; hlt" ::: "memory"); }

void halt_forever() {
    for (;;) asm volatile("cli; hlt");
}

void shut_down(bool success) {
    // QEMU's isa-debug-exit device (iobase 0xf4) exits with status (value << 1) | 1:
    // 0x10 gives 33 (success), 0x11 gives 35 (failure). Other machines just halt.
    x86_64::outb(0xf4, success ? 0x10 : 0x11);
    halt_forever();
}

void debug_write(const char* data, usize length) {
    for (usize i = 0; i < length; ++i) {
        if (data[i] == '\n') x86_64::serial::write_byte('\r');
        x86_64::serial::write_byte(static_cast<u8>(data[i]));
    }
    x86_64::vga_text::write(data, length);
}

void start_console_input() {
    x86_64::route_isa_interrupt(4, x86_64::vector::serial);
    x86_64::serial::enable_receive_interrupt();
}

}  // namespace arch
