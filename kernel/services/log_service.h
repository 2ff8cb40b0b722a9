#pragma once

// kernel.log: structured records (a level, the task they are about, text) into the kernel log.
// Kernel code calls it directly through the pointer services::lookup gives, naming itself:
//
//   auto log = MUST(services::lookup<LogService>("kernel.log"));
//   log->record(log::Level::Warning, "trap", {task.id(), task.name()}, "page fault at {:#x}", address);
//
// prints `kernel -> kernel: trap: task <name>: page fault at 0x... (id <id>)`; a record about the
// kernel itself (LogService::kernel) prints `kernel -> kernel: <caller>: ...`.
//
// User tasks subscribe to kernel.log and send records over the KernelLog protocol
// (poplar/protocols/kernel_log.h); open_session serves one such client, whose records print as
// `user -> kernel: task <name>: <text> (id <id>)`. Each line says which way the service was used.

#include <base/format.h>
#include <debug/log.h>
#include <services/kernel_service.h>

namespace services {

class LogService final : public KernelService {
public:
    static constexpr ServiceType service_type{"log"};
    // What a record is about: a task, or (id 0) the kernel itself.
    struct Source {
        u64 task_id;
        base::StringView task_name;
    };
    static constexpr Source kernel{0, "kernel"};

    static base::ErrorOr<base::RefPtr<LogService>> create();

    // One line from kernel code: the level, the calling subsystem, the source and the text.
    template <typename... Args>
    void record(log::Level level, base::StringView caller, Source source, base::StringView format,
                const Args&... args) {
        char text[max_text_bytes];
        record_text(level, caller, source, base::format_to(text, sizeof(text), format, args...));
    }
    void record_text(log::Level level, base::StringView caller, Source source, base::StringView text);
    // One line a user task sent over its session (it is the source).
    void record_from_user(log::Level level, Source source, base::StringView text);

    // A KernelLog session with `client` (its records have it as their source).
    base::ErrorOr<base::RefPtr<Channel>> open_session(Task& client) override;

    // Records taken since boot (for the tests).
    u64 record_count() const { return __atomic_load_n(&records_, __ATOMIC_RELAXED); }

private:
    // A record is one line on the serial console; longer text is cut.
    static constexpr usize max_text_bytes = 256;

    LogService() : KernelService(service_type) {}

    u64 records_ = 0;
};

}  // namespace services
