// COM1 at 115200 8N1, written by polling: the debug console must work before interrupts and
// inside the exception handler.

#include <arch/x86_64/cpu.h>
#include <arch/x86_64/serial.h>

namespace x86_64::serial {
namespace {

constexpr u16 com1 = 0x3f8;
constexpr u16 data_register = 0, interrupt_enable = 1, fifo_control = 2, line_control = 3, modem_control = 4,
              line_status = 5;
constexpr u8 transmit_empty = 1 << 5, data_ready = 1 << 0;
constexpr u8 received_data_available = 1 << 0;  // interrupt_enable
constexpr u8 interrupt_output = 1 << 3;         // modem_control OUT2: gates IRQ 4 on PCs

}  // namespace

void initialize() {
    outb(com1 + interrupt_enable, 0x00);
    outb(com1 + line_control, 0x80);   // divisor latch access
    outb(com1 + data_register, 0x01);  // divisor 1: 115200 baud
    outb(com1 + interrupt_enable, 0x00);
    outb(com1 + line_control, 0x03);  // 8 bits, no parity, one stop bit
    outb(com1 + fifo_control, 0x07);  // FIFOs on and cleared, interrupt at every received byte
    outb(com1 + modem_control, 0x03);
}

void enable_receive_interrupt() {
    outb(com1 + modem_control, 0x03 | interrupt_output);
    outb(com1 + interrupt_enable, received_data_available);
}

usize read_received(u8* out, usize capacity) {
    usize count = 0;
    while (count < capacity && (inb(com1 + line_status) & data_ready)) out[count++] = inb(com1 + data_register);
    return count;
}

void write_byte(u8 byte) {
    while (!(inb(com1 + line_status) & transmit_empty)) {
    }
    outb(com1 + data_register, byte);
}

}  // namespace x86_64::serial
