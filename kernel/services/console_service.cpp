#include <console/console_input.h>
#include <debug/log.h>
#include <ipc/session.h>
#include <object/task.h>
#include <poplar/protocols/kernel_console.h>
#include <sched/work_queue.h>
#include <services/console_service.h>
#include <services/session.h>

namespace services {

namespace {

namespace protocol = poplar::protocols::kernel_console;
using poplar::protocols::KernelConsole;
using Reply = base::ErrorOr<KernelConsole::Response>;

static_assert(protocol::input_buffer_bytes == console::input_capacity);

KernelConsole::Response refused(base::Error error) { return protocol::Refused{static_cast<u32>(error)}; }

struct SessionHandler {
    // The session's own end: a Read also ends when the client closes it.
    const base::RefPtr<Channel>& channel;
    u8 read_bytes[protocol::max_read_bytes];  // what Data borrows

    // The keyboard is this session's from its first Read until it ends.
    ~SessionHandler() { console::Input::the().release_reader(this); }

    KernelConsole::Response handle(const protocol::Write& request) {
        if (request.bytes.size() > protocol::max_write_bytes) return refused(base::Error::InvalidArgument);
        log::write_console(base::StringView(reinterpret_cast<const char*>(request.bytes.data()), request.bytes.size()));
        return protocol::Written{};
    }

    // Waits for a typed byte: the one request that costs a coroutine frame.
    async::Task<Reply> handle(const protocol::Read& request) {
        if (request.max_bytes == 0 || request.max_bytes > protocol::max_read_bytes)
            co_return refused(base::Error::InvalidArgument);
        console::Input& input = console::Input::the();
        if (!input.claim_reader(this)) co_return refused(base::Error::BadState);
        for (;;) {
            u64 dropped = 0;
            usize count = input.take(base::Bytes(read_bytes, request.max_bytes), dropped);
            if (count > 0) co_return KernelConsole::Response(protocol::Data{{read_bytes, count}, dropped});
            co_await console::InputAwaiter(input, channel);
            if (async::current_job_cancelled()) co_return base::Error::Cancelled;
            if (channel->signals() & poplar::abi::signals::peer_closed) co_return base::Error::PeerClosed;
        }
    }
};

async::Task<base::ErrorOr<void>> serve_session(base::RefPtr<ConsoleService>, base::RefPtr<Channel> channel) {
    SessionHandler handler{channel, {}};
    co_return co_await ipc::serve<KernelConsole>(channel, handler);
}

}  // namespace

base::ErrorOr<base::RefPtr<ConsoleService>> ConsoleService::create() {
    auto* service = new (std::nothrow) ConsoleService();
    if (!service) return base::Error::NoMemory;
    return base::adopt_ref(service);
}

base::ErrorOr<base::RefPtr<Channel>> ConsoleService::open_session(Task& client) {
    return open_session_on_client_queue(client, [&](base::RefPtr<Channel> end) {
        return serve_session(base::RefPtr<ConsoleService>(this), base::move(end));
    });
}

}  // namespace services
