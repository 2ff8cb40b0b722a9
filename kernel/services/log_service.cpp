#include <ipc/session.h>
#include <object/task.h>
#include <poplar/protocols/kernel_log.h>
#include <sched/work_queue.h>
#include <services/heap_array.h>
#include <services/log_service.h>
#include <services/session.h>

namespace services {

namespace {

namespace protocol = poplar::protocols::kernel_log;
using poplar::protocols::KernelLog;

static_assert(protocol::max_text_bytes < 256, "a record's text fits LogService's line");
static_assert(protocol::kept_recent_lines == log::RecentLines::capacity &&
              protocol::max_recent_line_bytes == log::RecentLines::line_bytes);

// The client's id and name, copied: the session is a job on the client's own work queue, and a
// reference to the task from there would keep it alive through its own queue.
struct Client {
    u64 id;
    char name[poplar::abi::max_name_bytes];
};

log::Level level_of(protocol::Level level) {
    switch (level) {
        case protocol::Level::debug:
            return log::Level::Debug;
        case protocol::Level::info:
            return log::Level::Info;
        case protocol::Level::warning:
            return log::Level::Warning;
        case protocol::Level::error:
            return log::Level::Error;
    }
    return log::Level::Info;
}

bool is_printable(base::StringView text) {
    for (char c : text)
        if (c < 0x20 || c > 0x7e) return false;
    return true;
}

// A log line as a reply carries it: Ptah text is UTF-8, and a task's debug_log text is any bytes,
// so whatever is not printable ASCII becomes '?' (one bad line must not end every reader's session).
base::StringView printable_copy(log::RecentLines::Line& line) {
    for (usize i = 0; i < line.length; ++i)
        if (line.text[i] < 0x20 || line.text[i] > 0x7e) line.text[i] = '?';
    return line.view();
}

struct SessionHandler {
    LogService& service;
    const Client& client;
    ipc::BoundedAllocator allocator;                                      // Lines' vector
    HeapArray<log::RecentLines::Line, protocol::max_recent_lines> lines;  // what Lines borrows

    KernelLog::Response handle(const protocol::Record& record) {
        if (record.level > protocol::max_level)
            return protocol::Refused{static_cast<u8>(protocol::Reason::invalid_level)};
        if (record.text.length() > protocol::max_text_bytes)
            return protocol::Refused{static_cast<u8>(protocol::Reason::text_too_long)};
        if (!is_printable(record.text)) return protocol::Refused{static_cast<u8>(protocol::Reason::unprintable_text)};
        service.record_from_user(level_of(static_cast<protocol::Level>(record.level)),
                                 {client.id, base::StringView(client.name)}, record.text);
        return protocol::Recorded{};
    }

    base::ErrorOr<KernelLog::Response> handle(const protocol::Recent& request) {
        if (!lines.allocate()) return base::Error::NoMemory;
        u64 latest = 0;
        usize count = log::read_recent(request.after_sequence, lines.span(), latest);
        protocol::Lines reply{count ? lines.span()[0].sequence : latest + 1, latest,
                              ptah::Vector<base::StringView>(allocator)};
        TRY(ptah::to_system_result(reply.lines.reserve(static_cast<u32>(count))));
        for (usize i = 0; i < count; ++i)
            TRY(ptah::to_system_result(reply.lines.append(printable_copy(lines.span()[i]))));
        return KernelLog::Response(base::move(reply));
    }

    // Called by ipc::serve once the reply no longer needs the lines it borrowed.
    void reply_encoded() { lines.release(); }
};

async::Task<base::ErrorOr<void>> serve_session(base::RefPtr<LogService> service, base::RefPtr<Channel> channel,
                                               Client client) {
    SessionHandler handler{*service, client, ipc::BoundedAllocator(), {}};
    co_return co_await ipc::serve<KernelLog>(base::move(channel), handler);
}

}  // namespace

base::ErrorOr<base::RefPtr<LogService>> LogService::create() {
    auto* service = new (std::nothrow) LogService();
    if (!service) return base::Error::NoMemory;
    return base::adopt_ref(service);
}

void LogService::record_text(log::Level level, base::StringView caller, Source source, base::StringView text) {
    __atomic_fetch_add(&records_, 1, __ATOMIC_RELAXED);
    if (source.task_id == kernel.task_id)
        log::write(level, "kernel -> kernel: {}: {}", caller, text);
    else
        log::write(level, "kernel -> kernel: {}: task {}: {} (id {})", caller, source.task_name, text, source.task_id);
}

void LogService::record_from_user(log::Level level, Source source, base::StringView text) {
    __atomic_fetch_add(&records_, 1, __ATOMIC_RELAXED);
    log::write(level, "user -> kernel: task {}: {} (id {})", source.task_name, text, source.task_id);
}

base::ErrorOr<base::RefPtr<Channel>> LogService::open_session(Task& client) {
    Client copy{client.id(), {}};
    base::StringView name(client.name());
    __builtin_memcpy(copy.name, name.data(), base::min(name.length(), sizeof(copy.name) - 1));
    return open_session_on_client_queue(client, [&](base::RefPtr<Channel> end) {
        return serve_session(base::RefPtr<LogService>(this), base::move(end), copy);
    });
}

}  // namespace services
