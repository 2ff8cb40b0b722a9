// The VGA text screen, read back from video memory after writing to it (test=ktest). The lines go
// to the screen alone, not the serial port.

#include <arch/x86_64/vga_text.h>
#include <base/format.h>
#include <test/kernel_test.h>

namespace {

using namespace x86_64;

// True if screen row `row` shows `text` from its first column, then blanks.
bool row_shows(usize row, base::StringView text) {
    for (usize column = 0; column < vga_text::columns; ++column) {
        char expected = column < text.length() ? text[column] : ' ';
        if (vga_text::character_at(row, column) != expected) return false;
    }
    return true;
}

void write_numbered_lines(usize count) {
    for (usize i = 0; i < count; ++i) {
        char line[32];
        base::BufferSink sink(line, sizeof(line));
        base::format(sink, "\nvga line {}", i);
        vga_text::write(sink.view().data(), sink.length());
    }
}

}  // namespace

KERNEL_TEST(vga_text, a_written_line_shows_on_the_bottom_row) {
    base::StringView line = "\nvga ktest: hello";
    vga_text::write(line.data(), line.length());
    KEXPECT(row_shows(vga_text::rows - 1, "vga ktest: hello"));
}

KERNEL_TEST(vga_text, the_screen_scrolls_a_row_per_line) {
    write_numbered_lines(vga_text::rows);
    KEXPECT(row_shows(0, "vga line 0"));
    KEXPECT(row_shows(vga_text::rows - 1, "vga line 24"));
}

// 300 lines run past the 204 rows of the text buffer: the screen still shows the last 25 in order.
KERNEL_TEST(vga_text, the_screen_keeps_the_last_lines_past_the_buffer_end) {
    write_numbered_lines(300);
    for (usize row = 0; row < vga_text::rows; ++row) {
        char line[32];
        base::BufferSink sink(line, sizeof(line));
        base::format(sink, "vga line {}", 300 - vga_text::rows + row);
        KEXPECT(row_shows(row, sink.view()));
    }
}

KERNEL_TEST(vga_text, a_long_line_wraps_and_control_bytes_show_as_question_marks) {
    char text[vga_text::columns + 4];
    text[0] = '\n';
    for (usize i = 1; i <= vga_text::columns; ++i) text[i] = 'x';
    text[vga_text::columns + 1] = 'y';
    text[vga_text::columns + 2] = '\x01';
    text[vga_text::columns + 3] = 'z';
    vga_text::write(text, sizeof(text));
    KEXPECT_EQ(vga_text::character_at(vga_text::rows - 2, vga_text::columns - 1), 'x');
    KEXPECT(row_shows(vga_text::rows - 1, "y?z"));
}

KERNEL_TEST(vga_text, places_off_the_screen_read_as_nothing) {
    KEXPECT_EQ(vga_text::character_at(vga_text::rows, 0), '\0');
    KEXPECT_EQ(vga_text::character_at(0, vga_text::columns), '\0');
}
