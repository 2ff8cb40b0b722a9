// COM1 at 115200 8N1, written by polling: the debug console must work before interrupts and
// inside the exception handler.

#include <arch/x86_64/cpu.h>
#include <arch/x86_64/serial.h>

namespace x86_64::serial {
namespace {

constexpr u16 com1 = 0x3f8;
constexpr u16 data_register = 0, interrupt_enable = 1, fifo_control = 2, line_control = 3, modem_control = 4,
              line_status = 5;
constexpr u8 transmit_empty = 1 << 5;

}  // namespace

void initialize() {
    outb(com1 + interrupt_enable, 0x00);
    outb(com1 + line_control, 0x80);   // divisor latch access
    outb(com1 + data_register, 0x01);  // divisor 1: 115200 baud
    outb(com1 + interrupt_enable, 0x00);
    outb(com1 + line_control, 0x03);  // 8 bits, no parity, one stop bit
    outb(com1 + fifo_control, 0xc7);
    outb(com1 + modem_control, 0x03);
}

void write_byte(u8 byte) {
    while (!(inb(com1 + line_status) & transmit_empty)) {
    }
    outb(com1 + data_register, byte);
}

}  // namespace x86_64::serial
