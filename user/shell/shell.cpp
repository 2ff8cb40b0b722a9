// The shell: a person's way into the running system over the serial terminal (docs/console.md).
// init starts it with `run=shell`; it reads lines through kernel.console and runs each as a
// command against the kernel's services (kernel.services, kernel.tasks, kernel.log, kernel.time)
// and the demo's (demo.kv). `shutdown` ends it, and with it init and the run.
//
// Its loop runs on the user coroutine runtime (poplar/async, docs/user-runtime.md): the keyboard
// is awaited through the ring, and where it waits for two things at once (a key and a task
// ending, a key and a registry change) it runs both with when_any. Its calls to services are the
// synchronous ones (one at a time is all a shell needs).

#include <poplar/async/executor.h>
#include <poplar/async/operations.h>
#include <poplar/service_scope.h>
#include <poplar/start.h>
#include <poplar/syscall.h>

#include "commands.h"
#include "line_editor.h"
#include "terminal.h"

namespace {

constexpr base::StringView prompt = "poplar> ";

shell::LineEditor editor;  // global: its history is larger than is kind to the stack

namespace async = poplar::async;
namespace abi = poplar::abi;

async::Task<base::ErrorOr<int>> run_shell() {
    auto opened = shell::Terminal::open();
    if (opened.is_error()) co_return 1;  // no console, no one to tell
    shell::Terminal& terminal = opened.value();
    shell::Shell shell(terminal);
    terminal.write("poplar shell: `help` lists the commands\n");
    terminal.write(prompt);
    for (;;) {
        u8 bytes[poplar::protocols::kernel_console::max_read_bytes];
        u64 dropped = 0;
        base::ErrorOr<usize> taken = base::Error::Internal;
        if (auto requested = terminal.request_read(); requested.is_error()) {
            taken = requested.error();
        } else {
            auto seen = co_await async::wait(terminal.input(), abi::signals::readable | abi::signals::peer_closed);
            taken = seen.is_ok() ? terminal.take_read(base::Bytes(bytes, sizeof(bytes)), dropped)
                                 : base::ErrorOr<usize>(seen.error());
        }
        if (taken.is_error()) {
            terminal.print("shell: cannot read the console: {}\n", base::error_name(taken.error()));
            co_return 1;
        }
        if (dropped > 0) terminal.print("\nshell: {} typed bytes were lost (the console's buffer was full)\n", dropped);
        for (usize i = 0; i < taken.value(); ++i) {
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
                case shell::LineEditor::Event::line: {
                    auto next = co_await shell.run_line(editor.line());
                    if (next.is_error()) terminal.print("shell: {}\n", base::error_name(next.error()));
                    if (next.is_ok() && next.value() == shell::Shell::Next::exit) co_return 0;
                    break;
                }
            }
            shell.report_finished_tasks();
            terminal.write(prompt);
        }
    }
}

}  // namespace

int main(const poplar::abi::StartInfo&) {
    auto executor = async::Executor::create();
    if (executor.is_error()) return 1;
    return executor.value().block_on(run_shell()).value_or(1);
}
