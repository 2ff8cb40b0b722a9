#pragma once

#include <base/types.h>

namespace x86_64::serial {

void initialize();
void write_byte(u8 byte);

// Raises IRQ 4 when a byte has been received.
void enable_receive_interrupt();
// Moves the received bytes the UART holds into `out`, as many as fit; returns how many.
usize read_received(u8* out, usize capacity);

}  // namespace x86_64::serial
