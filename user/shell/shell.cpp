// The shell: a person's way into the running system over the serial terminal (docs/console.md).
// init starts it with `run=shell`; it reads lines through kernel.console and runs each as a
// command against the kernel's services (kernel.services, kernel.tasks, kernel.log, kernel.time)
// and the demo's (demo.kv). `shutdown` ends it, and with it init and the run.
//
// It is written synchronously, on system calls: where it waits for two things at once (a key and
// a task ending, a key and a registry change) it waits for both channels in one wait_many.

#include <poplar/service_scope.h>
#include <poplar/start.h>
#include <poplar/syscall.h>

#include "commands.h"
#include "line_editor.h"
#include "terminal.h"

namespace {

constexpr base::StringView prompt = "poplar> ";

shell::LineEditor editor;  // global: its history is larger than is kind to the stack

}  // namespace

int main(const poplar::abi::StartInfo&) {
    auto opened = shell::Terminal::open();
    if (opened.is_error()) return 1;  // no console, no one to tell
    shell::Terminal& terminal = opened.value();
    shell::Shell shell(terminal);
    terminal.write("poplar shell: `help` lists the commands\n");
    terminal.write(prompt);
    for (;;) {
        u8 bytes[poplar::protocols::kernel_console::max_read_bytes];
        u64 dropped = 0;
        auto read = terminal.read(base::Bytes(bytes, sizeof(bytes)), dropped);
        if (read.is_error()) {
            terminal.print("shell: cannot read the console: {}\n", base::error_name(read.error()));
            return 1;
        }
        if (dropped > 0) terminal.print("\nshell: {} typed bytes were lost (the console's buffer was full)\n", dropped);
        for (usize i = 0; i < read.value(); ++i) {
            auto echo = [&](base::StringView text) { terminal.write(text); };
            switch (editor.feed(bytes[i], echo)) {
                case shell::LineEditor::Event::none:
                    continue;
                case shell::LineEditor::Event::too_long:
                    terminal.print("shell: line too long (at most {} bytes); ignored\n",
                                   shell::LineEditor::max_line_bytes);
                    break;
                case shell::LineEditor::Event::cancelled:
                    break;
                case shell::LineEditor::Event::line:
                    if (shell.run_line(editor.line()) == shell::Shell::Next::exit) return 0;
                    break;
            }
            shell.report_finished_tasks();
            terminal.write(prompt);
        }
    }
}
