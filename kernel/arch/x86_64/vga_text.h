#pragma once

// The VGA text screen (80x25 at physical 0xB8000, as BIOS and GRUB leave it): a copy of the debug
// console for a machine whose serial port nobody reads. Written like the serial port, without
// interrupts or allocation, so that it works from the first line to a panic.

#include <base/types.h>

namespace x86_64::vga_text {

inline constexpr usize columns = 80;
inline constexpr usize rows = 25;

// Clears the screen; writes before this are dropped.
void initialize();

// Writes text at the cursor: '\n' starts a new line, the screen scrolls at its end.
void write(const char* data, usize length);

// The character shown at a place on the screen (row 0 at the top), read back from the buffer.
char character_at(usize row, usize column);

}  // namespace x86_64::vga_text
