#pragma once

// The shell's commands (`help` lists them; docs/console.md describes each).

#include <base/string_view.h>
#include <poplar/async/task.h>
#include <poplar/channel.h>
#include <poplar/task.h>

#include "terminal.h"

namespace shell {

class Shell {
public:
    enum class Next { prompt, exit };

    explicit Shell(Terminal& terminal) : terminal_(terminal) {}

    // A coroutine on the user runtime (poplar/async): `services watch` and `run` wait for a key
    // beside something else (when_any).
    poplar::async::Task<base::ErrorOr<Next>> run_line(base::StringView line);
    // Tells of the background tasks started here that have ended since, and forgets them.
    void report_finished_tasks();

private:
    static constexpr usize max_words = 8;
    static constexpr usize max_children = 16;

    struct Words {
        base::StringView word[max_words];
        usize count = 0;
        bool too_many = false;
    };
    struct Child {
        u64 id = 0;
        char name[32] = {};
        poplar::Task task;
        poplar::Channel argument;  // its argument channel, open while it runs
    };

    void help();
    poplar::async::Task<base::ErrorOr<void>> services(const Words& words);
    void list_services();
    // From `from` (the registry's change number), or from now.
    poplar::async::Task<base::ErrorOr<void>> watch_services(const u64* from);
    // Until a key has been typed (it is taken and dropped).
    poplar::async::Task<base::ErrorOr<void>> wait_for_key();
    void tasks();
    poplar::async::Task<base::ErrorOr<void>> run(const Words& words);
    void kill(const Words& words);
    void log(const Words& words);
    void call(const Words& words);
    void call_time(const Words& words);
    void call_kv(const Words& words);
    void bench();
    void shut_down();

    // Waits for `child` to end, or for a key (which leaves it running in the background).
    poplar::async::Task<base::ErrorOr<void>> wait_in_foreground(Child& child);
    Child* find_child(u64 id);

    Terminal& terminal_;
    Child children_[max_children];
};

}  // namespace shell
