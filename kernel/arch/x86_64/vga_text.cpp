// The screen scrolls by moving the CRT controller's start address down the 32 KiB text buffer
// rather than by copying it: each new line costs one row of writes to video memory (slow, device
// memory under emulation) until the buffer's end, where the last screenful moves back to the top.

#include <arch/x86_64/cpu.h>
#include <arch/x86_64/vga_text.h>
#include <base/utility.h>
#include <mm/physical_memory.h>

namespace x86_64::vga_text {
namespace {

constexpr u64 buffer_physical = 0xb8000;
constexpr usize buffer_rows = 32768 / (columns * sizeof(u16));  // 204 whole rows
constexpr u16 light_grey_on_black = 0x0700;
constexpr u16 crtc_index = 0x3d4, crtc_data = 0x3d5;
constexpr u8 start_address_high = 0x0c, start_address_low = 0x0d, cursor_high = 0x0e, cursor_low = 0x0f;

// Rows are counted in the buffer: the screen shows rows [top_row, top_row + rows). The state is
// the console lock's (debug/log.cpp), but a panic writes without it: every index is checked
// against the buffer before use, so a torn update garbles the screen, never other memory.
bool ready = false;
usize top_row = 0;
usize cursor_row = 0;
usize cursor_column = 0;

volatile u16* buffer() { return static_cast<volatile u16*>(mm::physical_to_virtual(buffer_physical)); }

void put_cell(usize row, usize column, char character) {
    if (row >= buffer_rows || column >= columns) return;
    buffer()[row * columns + column] = light_grey_on_black | static_cast<u8>(character);
}

void clear_row(usize row) {
    for (usize column = 0; column < columns; ++column) put_cell(row, column, ' ');
}

void write_crtc_word(u8 high_register, u8 low_register, usize value) {
    outb(crtc_index, high_register);
    outb(crtc_data, static_cast<u8>(value >> 8));
    outb(crtc_index, low_register);
    outb(crtc_data, static_cast<u8>(value));
}

void new_line() {
    cursor_column = 0;
    if (cursor_row + 1 >= buffer_rows) {
        // The buffer's end: the screen's last rows - 1 rows move to its top.
        volatile u16* cells = buffer();
        usize from = (buffer_rows - (rows - 1)) * columns;
        for (usize i = 0; i < (rows - 1) * columns; ++i) cells[i] = cells[from + i];
        cursor_row = rows - 1;
    } else {
        ++cursor_row;
    }
    clear_row(cursor_row);
    top_row = cursor_row >= rows ? cursor_row - (rows - 1) : 0;
    write_crtc_word(start_address_high, start_address_low, top_row * columns);
}

void put(char character) {
    switch (character) {
        case '\n':
            new_line();
            return;
        case '\r':
            cursor_column = 0;
            return;
        case '\t':
            do put(' ');
            while (cursor_column % 8 != 0);
            return;
        default:
            break;
    }
    u8 byte = static_cast<u8>(character);
    if (byte >= 0x80 && byte < 0xc0) return;  // the rest of a UTF-8 sequence, shown once as '?'
    if (byte < 0x20 || byte >= 0x7f) character = '?';
    if (cursor_column >= columns) new_line();
    put_cell(cursor_row, cursor_column++, character);
}

}  // namespace

void initialize() {
    top_row = cursor_row = cursor_column = 0;
    for (usize row = 0; row < rows; ++row) clear_row(row);
    write_crtc_word(start_address_high, start_address_low, 0);
    write_crtc_word(cursor_high, cursor_low, 0);
    ready = true;
}

void write(const char* data, usize length) {
    if (!ready) return;
    for (usize i = 0; i < length; ++i) put(data[i]);
    write_crtc_word(cursor_high, cursor_low, cursor_row * columns + base::min(cursor_column, columns - 1));
}

char character_at(usize row, usize column) {
    usize buffer_row = top_row + row;
    if (row >= rows || column >= columns || buffer_row >= buffer_rows) return '\0';
    return static_cast<char>(buffer()[buffer_row * columns + column] & 0xff);
}

}  // namespace x86_64::vga_text
