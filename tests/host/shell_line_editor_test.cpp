#include <gtest/gtest.h>
#include <shell/line_editor.h>

#include <string>

using shell::LineEditor;

namespace {

struct Typed {
    LineEditor editor;
    std::string echoed;
    std::string line;
    LineEditor::Event last = LineEditor::Event::none;

    void type(const std::string& bytes) {
        for (char c : bytes) {
            last = editor.feed(static_cast<u8>(c),
                               [&](base::StringView text) { echoed.append(text.data(), text.length()); });
            if (last == LineEditor::Event::line) line = std::string(editor.line().data(), editor.line().length());
        }
    }
};

}  // namespace

TEST(ShellLineEditor, EnterEndsTheLineAndCrLfCountsOnce) {
    Typed typed;
    typed.type("help\r\n");
    EXPECT_EQ(typed.line, "help");
    EXPECT_EQ(typed.echoed, "help\n");
    typed.type("tasks\n");
    EXPECT_EQ(typed.line, "tasks");
}

TEST(ShellLineEditor, BackspaceTakesTheLastByteBackAndOtherControlBytesAreIgnored) {
    Typed typed;
    typed.type("tas\x01kx\x7fs\b\bks\r");
    EXPECT_EQ(typed.line, "tasks");
    typed.type("\x7f\x7fok\r");  // backspace on an empty line does nothing
    EXPECT_EQ(typed.line, "ok");
}

TEST(ShellLineEditor, ALineOneByteTooLongIsReportedAndNotTaken) {
    Typed typed;
    typed.type(std::string(LineEditor::max_line_bytes, 'a') + "\r");
    EXPECT_EQ(typed.last, LineEditor::Event::line);
    typed.type(std::string(LineEditor::max_line_bytes + 1, 'b'));
    EXPECT_EQ(typed.echoed.find(std::string(LineEditor::max_line_bytes + 1, 'b')), std::string::npos);
    typed.type("\r");
    EXPECT_EQ(typed.last, LineEditor::Event::too_long);
    typed.type("next\r");  // the editor is clean again
    EXPECT_EQ(typed.line, "next");
}

TEST(ShellLineEditor, ControlCAbandonsAndControlUClears) {
    Typed typed;
    typed.type("shutdown\x03");
    EXPECT_EQ(typed.last, LineEditor::Event::cancelled);
    typed.type("kill 3\x15tasks\r");
    EXPECT_EQ(typed.line, "tasks");
}

TEST(ShellLineEditor, ArrowsWalkTheHistoryAndStopAtItsEnds) {
    Typed typed;
    typed.type("one\r");
    typed.type("two\r");
    typed.type("\x1b[A\r");
    EXPECT_EQ(typed.line, "two");
    typed.type("\x1b[A\x1b[A\x1b[A\x1b[A\r");  // past the oldest: stays there
    EXPECT_EQ(typed.line, "one");
    typed.type("\x1b[A\x1b[B\x1b[B\x1b[Bnew\r");  // back down past the newest: an empty line
    EXPECT_EQ(typed.line, "new");
}

TEST(ShellLineEditor, TheHistoryKeepsOnlyTheNewestLines) {
    Typed typed;
    for (usize i = 0; i < LineEditor::history_lines + 3; ++i) typed.type("line" + std::to_string(i) + "\r");
    std::string up;
    for (usize i = 0; i < LineEditor::history_lines + 5; ++i) up += "\x1b[A";
    typed.type(up + "\r");
    EXPECT_EQ(typed.line, "line3");
}
