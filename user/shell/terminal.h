#pragma once

// The shell's terminal: two kernel.console sessions (poplar/protocols/kernel_console.h), one that
// writes and one that reads. Two, because a session answers in order: a Write behind a Read that
// waits for a key would wait for that key too.
//
// Reading is split so that the shell can wait for a key beside something else (a task ending, a
// registry change): request_read sends a Read if none is out, input() is the channel its answer
// arrives on (to wait for), take_read collects it. A wait given up takes nothing: the Read stays
// out, and the key it brings is the next one read.

#include <base/format.h>
#include <base/span.h>
#include <poplar/channel.h>
#include <poplar/protocols/kernel_console.h>

namespace shell {

class Terminal {
public:
    static base::ErrorOr<Terminal> open();

    // Bytes as they are (in pieces of at most max_write_bytes).
    void write(base::StringView text);
    template <typename... Args>
    void print(base::StringView format, const Args&... args) {
        char text[512];
        write(base::format_to(text, sizeof(text), format, args...));
    }

    base::ErrorOr<void> request_read();
    const poplar::Channel& input() const { return input_; }
    // The typed bytes, once read_handle is readable (copied into `out`, which holds
    // max_read_bytes); `dropped` gets how many the kernel lost to a full buffer.
    base::ErrorOr<usize> take_read(base::Bytes out, u64& dropped);

private:
    Terminal(poplar::Channel output, poplar::Channel input) : output_(base::move(output)), input_(base::move(input)) {}

    poplar::Channel output_;
    poplar::Channel input_;
    bool read_pending_ = false;
};

}  // namespace shell
