#include <poplar/arena.h>
#include <poplar/async/operations.h>
#include <poplar/async/when_any.h>
#include <poplar/protocols/kernel_log.h>
#include <poplar/protocols/kernel_services.h>
#include <poplar/protocols/kernel_tasks.h>
#include <poplar/protocols/kernel_time.h>
#include <poplar/protocols/key_value.h>
#include <poplar/ptah_channel.h>
#include <poplar/service.h>
#include <poplar/service_scope.h>
#include <poplar/start_argument.h>
#include <poplar/syscall.h>
#include <ptah/ptah.h>

#include "../benchmark/cycles.h"
#include "commands.h"

using base::StringView;
namespace abi = poplar::abi;
namespace sys = poplar::sys;
namespace protocols = poplar::protocols;
namespace kernel_log = protocols::kernel_log;
namespace kernel_services = protocols::kernel_services;
namespace kernel_tasks = protocols::kernel_tasks;
namespace kernel_time = protocols::kernel_time;
namespace kv = protocols::key_value;
namespace async = poplar::async;

namespace shell {

namespace {

constexpr u64 second = 1'000'000'000;

// Decoded replies' vectors come from here; each call starts it afresh (one reply alive at a time).
poplar::Arena<16 * 1024> arena;

// A session with a kernel service (or any provider) of protocol P whose replies may own memory.
template <ptah::Protocol P>
class Session {
public:
    static base::ErrorOr<Session> open(StringView name = P::name) {
        return Session(TRY(poplar::subscribe(name, abi::deadline_now)));
    }
    // The reply borrows from this session and the arena: use it before the next call.
    base::ErrorOr<typename P::Response> call(const typename P::Request& request) {
        arena.reset();
        poplar::PtahChannel transport(channel_, 2 * second);
        ptah::Client<P, poplar::PtahChannel> client(transport, ptah::DecodeOptions{&arena, {}});
        auto reply = client.call(request);
        poplar::close_handles(client.reply_handles().view());
        return reply;
    }
    base::ErrorOr<void> send(const typename P::Request& request) {
        poplar::PtahChannel transport(channel_);
        ptah::Client<P, poplar::PtahChannel> client(transport);
        return client.send(request);
    }
    // The reply to a request sent, once it is there.
    base::ErrorOr<typename P::Response> receive() {
        arena.reset();
        auto sizes = TRY(channel_.receive(base::Bytes(buffer_, sizeof(buffer_)), {}, abi::deadline_now));
        return ptah::to_system_result(ptah::decode<typename P::Response>(base::ReadonlyBytes(buffer_, sizes.bytes), {},
                                                                         ptah::DecodeOptions{&arena, {}}));
    }
    const poplar::Channel& channel() const { return channel_; }

private:
    explicit Session(poplar::Channel channel) : channel_(base::move(channel)) {}

    poplar::Channel channel_;
    u8 buffer_[4096];
};

// A decimal number that fits a u64 (no sign, no other bytes); NotFound-free: false for anything else.
bool parse_number(StringView text, u64& value) {
    if (text.is_empty() || text.length() > 20) return false;
    value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return false;
        u64 digit = static_cast<u64>(c - '0');
        if (value > (~u64(0) - digit) / 10) return false;
        value = value * 10 + digit;
    }
    return true;
}

// Nanoseconds as milliseconds with three decimals.
struct Milliseconds {
    u64 whole, thousandths;
};
Milliseconds milliseconds(u64 nanoseconds) { return {nanoseconds / 1'000'000, (nanoseconds / 1000) % 1000}; }

StringView name_of(const char* text, usize capacity) {
    usize length = 0;
    while (length < capacity && text[length]) ++length;
    return StringView(text, length);
}

// The text of `words` from `first` on, as typed (the words are views into one line).
StringView rest_of(const StringView* words, usize count, usize first) {
    if (first >= count) return {};
    const char* start = words[first].data();
    const char* end = words[count - 1].data() + words[count - 1].length();
    return StringView(start, static_cast<usize>(end - start));
}

void sort(u64* values, usize count) {
    for (usize i = 1; i < count; ++i)
        for (usize j = i; j > 0 && values[j - 1] > values[j]; --j) base::swap(values[j - 1], values[j]);
}

}  // namespace

async::Task<base::ErrorOr<Shell::Next>> Shell::run_line(StringView line) {
    Words words;
    usize at = 0;
    while (at < line.length()) {
        while (at < line.length() && line[at] == ' ') ++at;
        usize start = at;
        while (at < line.length() && line[at] != ' ') ++at;
        if (at == start) break;
        if (words.count == max_words) {
            words.too_many = true;
            break;
        }
        words.word[words.count++] = line.substring(start, at - start);
    }
    if (words.count == 0) co_return Next::prompt;
    if (words.too_many) {
        terminal_.print("shell: too many words (at most {})\n", max_words);
        co_return Next::prompt;
    }
    StringView command = words.word[0];
    if (command == "help") {
        help();
    } else if (command == "services") {
        CO_TRY(co_await services(words));
    } else if (command == "tasks") {
        tasks();
    } else if (command == "run") {
        CO_TRY(co_await run(words));
    } else if (command == "kill") {
        kill(words);
    } else if (command == "log") {
        log(words);
    } else if (command == "call") {
        call(words);
    } else if (command == "bench") {
        bench();
    } else if (command == "shutdown") {
        shut_down();
        co_return Next::exit;
    } else {
        terminal_.print("shell: unknown command \"{}\" (`help` lists the commands)\n", command);
    }
    co_return Next::prompt;
}

void Shell::help() {
    terminal_.write(
        "commands:\n"
        "  help                      this list\n"
        "  services                  the registered services\n"
        "  services watch [CHANGE]   services appearing and going (after CHANGE), until a key is pressed\n"
        "  tasks                     this shell and the tasks it started, with their CPU time\n"
        "  run MODULE [ARGS] [&]     start a boot module (& : in the background); a key detaches it\n"
        "  kill ID                   kill a task this shell started\n"
        "  log [N]                   the kernel log's last N lines (20; at most 64)\n"
        "  call kernel.time now|resolution\n"
        "  call demo.kv get KEY | put KEY VALUE | remove KEY\n"
        "  bench                     quick figures: a null system call, a kernel service call\n"
        "  shutdown                  end the shell; the kernel powers off\n"
        "line editing: backspace, ^U (clear), ^C (abandon), up/down (history)\n");
}

async::Task<base::ErrorOr<void>> Shell::services(const Words& words) {
    u64 from = 0;
    if (words.count == 1) {
        list_services();
    } else if (words.count == 2 && words.word[1] == "watch") {
        CO_TRY(co_await watch_services(nullptr));
    } else if (words.count == 3 && words.word[1] == "watch" && parse_number(words.word[2], from)) {
        CO_TRY(co_await watch_services(&from));
    } else {
        terminal_.write("services: usage: services [watch [CHANGE]]\n");
    }
    co_return {};
}

void Shell::list_services() {
    auto session = Session<protocols::KernelServices>::open();
    if (session.is_error()) return terminal_.print("services: {}\n", base::error_name(session.error()));
    u32 first = 0;
    u64 sequence = 0;
    for (;;) {
        auto reply = session.value().call(kernel_services::List{first});
        if (reply.is_error() || !reply.value().is<kernel_services::Listing>())
            return terminal_.print("services: no listing ({})\n",
                                   reply.is_error() ? base::error_name(reply.error()) : "wrong reply");
        const auto& listing = reply.value().get<kernel_services::Listing>();
        if (first == 0) {
            sequence = listing.sequence;
            terminal_.print("{} services (registry change {}):\n", listing.total, sequence);
        } else if (listing.sequence != sequence) {
            terminal_.write("  (the registry changed meanwhile: list again for a consistent view)\n");
        }
        for (StringView name : listing.names) terminal_.print("  {}\n", name);
        first += static_cast<u32>(listing.names.size());
        if (listing.names.size() == 0 || first >= listing.total) return;
    }
}

async::Task<base::ErrorOr<void>> Shell::wait_for_key() {
    CO_TRY(terminal_.request_read());
    CO_TRY(co_await async::wait(terminal_.input(), abi::signals::readable | abi::signals::peer_closed));
    u8 key[poplar::protocols::kernel_console::max_read_bytes];
    u64 dropped = 0;
    CO_TRY(terminal_.take_read(base::Bytes(key, sizeof(key)), dropped));
    co_return {};
}

namespace {

// The registry's changes after `sequence`, printed as they come, until an error (or the job is
// cancelled: when_any's other side, the key, won).
async::Task<base::ErrorOr<void>> watch_changes(Terminal& terminal, Session<protocols::KernelServices>& session,
                                               u64 sequence) {
    for (;;) {
        CO_TRY(session.send(kernel_services::Watch{sequence}));
        CO_TRY(co_await async::wait(session.channel(), abi::signals::readable | abi::signals::peer_closed));
        auto reply = CO_TRY(session.receive());
        if (reply.is<kernel_services::Resync>()) {
            sequence = reply.get<kernel_services::Resync>().sequence;
            terminal.print("  (fell behind: watching again from change {})\n", sequence);
            continue;
        }
        if (!reply.is<kernel_services::Changes>()) co_return base::Error::MalformedMessage;
        for (const auto& change : reply.get<kernel_services::Changes>().changes) {
            terminal.print("  {} {} (change {})\n", change.appeared ? "+" : "-", change.name, change.sequence);
            sequence = change.sequence;
        }
    }
}

}  // namespace

async::Task<base::ErrorOr<void>> Shell::watch_services(const u64* from) {
    auto session = Session<protocols::KernelServices>::open();
    if (session.is_error()) {
        terminal_.print("services: {}\n", base::error_name(session.error()));
        co_return {};
    }
    u64 sequence = 0;
    if (from) {
        sequence = *from;  // the changes the registry's log still holds after it come first
    } else {
        auto listed = session.value().call(kernel_services::List{0});
        if (listed.is_error() || !listed.value().is<kernel_services::Listing>()) {
            terminal_.write("services: no listing\n");
            co_return {};
        }
        sequence = listed.value().get<kernel_services::Listing>().sequence;
    }
    terminal_.print("watching the registry from change {} (press a key to stop)\n", sequence);
    // The watch and the keyboard side by side: the first to finish wins, the other is cancelled
    // (a cancelled wait takes nothing, so a Read still out brings the next key to the prompt).
    auto both = CO_TRY(co_await async::when_any(wait_for_key(), watch_changes(terminal_, session.value(), sequence)));
    if (both.winner == 0)
        terminal_.write("stopped watching\n");  // the session, and its Watch, end here
    else
        terminal_.print("services: the watch ended: {}\n",
                        both.second.is_error() ? base::error_name(both.second.error()) : "ok");
    co_return {};
}

void Shell::tasks() {
    auto session = Session<protocols::KernelTasks>::open();
    if (session.is_error()) return terminal_.print("tasks: {}\n", base::error_name(session.error()));
    terminal_.write("   id parent  state     user ms   kernel ms  kernel work ms  name\n");
    u64 after = 0;
    for (;;) {
        auto reply = session.value().call(kernel_tasks::List{after});
        if (reply.is_error() || !reply.value().is<kernel_tasks::Page>())
            return terminal_.print("tasks: no listing ({})\n",
                                   reply.is_error() ? base::error_name(reply.error()) : "refused");
        const auto& page = reply.value().get<kernel_tasks::Page>();
        for (const auto& task : page.tasks) {
            auto user = milliseconds(task.user_nanoseconds);
            auto kernel = milliseconds(task.kernel_nanoseconds);
            auto work = milliseconds(task.kernel_work_nanoseconds);
            terminal_.print("{:5} {:6}  {} {:7}.{:03} {:7}.{:03} {:11}.{:03}  {}\n", task.id, task.parent_id,
                            task.state == u8(kernel_tasks::State::running) ? "running" : "exiting", user.whole,
                            user.thousandths, kernel.whole, kernel.thousandths, work.whole, work.thousandths,
                            task.name.view());
            after = task.id;
        }
        if (!page.more || page.tasks.size() == 0) return;
    }
}

async::Task<base::ErrorOr<void>> Shell::run(const Words& words) {
    usize count = words.count;
    bool background = count > 1 && words.word[count - 1] == "&";
    if (background) --count;
    if (count < 2) {
        terminal_.write("run: usage: run MODULE [ARGS] [&]\n");
        co_return {};
    }
    StringView module = words.word[1];
    StringView arguments = rest_of(words.word, count, 2);
    Child* slot = nullptr;
    for (Child& child : children_)
        if (child.id == 0) slot = &child;
    if (!slot) {
        terminal_.print("run: {} tasks started here still run; kill one first\n", max_children);
        co_return {};
    }
    // Its own service scope (a duplicate of this shell's), so that a provider can register.
    auto scope = poplar::duplicate_service_scope();
    auto started =
        poplar::spawn_with_argument(module, arguments, scope.is_ok() ? scope.release_value() : poplar::Handle());
    if (started.is_error()) {
        terminal_.print("run: cannot start {}: {}\n", module, base::error_name(started.error()));
        co_return {};
    }
    auto info = started.value().task.info();
    slot->id = info.is_ok() ? info.value().object_id : 0;
    usize length = base::min(module.length(), sizeof(slot->name) - 1);
    __builtin_memcpy(slot->name, module.data(), length);
    slot->name[length] = 0;
    slot->task = base::move(started.value().task);
    slot->argument = base::move(started.value().channel);
    if (background) {
        terminal_.print("started {} as task {} in the background\n", module, slot->id);
        co_return {};
    }
    terminal_.print("started {} as task {} (a key leaves it in the background)\n", module, slot->id);
    CO_TRY(co_await wait_in_foreground(*slot));
    co_return {};
}

namespace {

async::Task<base::ErrorOr<u32>> wait_until_ended(const poplar::Task& task) {
    co_return co_await async::wait(task, abi::signals::terminated);
}

}  // namespace

async::Task<base::ErrorOr<void>> Shell::wait_in_foreground(Child& child) {
    auto both = CO_TRY(co_await async::when_any(wait_for_key(), wait_until_ended(child.task)));
    if (both.winner == 1) {
        report_finished_tasks();
    } else {
        terminal_.print("task {} ({}) goes on in the background\n", child.id, name_of(child.name, sizeof(child.name)));
    }
    co_return {};
}

void Shell::report_finished_tasks() {
    for (Child& child : children_) {
        if (child.id == 0) continue;
        auto status = child.task.wait(abi::deadline_now);
        if (status.is_error()) continue;  // still running (TimedOut)
        terminal_.print("task {} ({}) exited with status {}\n", child.id, name_of(child.name, sizeof(child.name)),
                        status.value());
        child = Child();
    }
}

Shell::Child* Shell::find_child(u64 id) {
    for (Child& child : children_)
        if (child.id != 0 && child.id == id) return &child;
    return nullptr;
}

void Shell::kill(const Words& words) {
    u64 id = 0;
    if (words.count != 2) return terminal_.write("kill: usage: kill ID (a task this shell started)\n");
    if (!parse_number(words.word[1], id)) return terminal_.print("kill: \"{}\" is not a task id\n", words.word[1]);
    Child* child = find_child(id);
    if (!child) return terminal_.print("kill: task {} was not started by this shell (or has ended)\n", id);
    if (auto killed = child->task.kill(); killed.is_error())
        return terminal_.print("kill: {}\n", base::error_name(killed.error()));
    (void)child->task.wait(sys::deadline_after(second));
    report_finished_tasks();
}

void Shell::log(const Words& words) {
    u64 wanted = 20;
    if (words.count > 2 || (words.count == 2 && (!parse_number(words.word[1], wanted) || wanted == 0 ||
                                                 wanted > kernel_log::kept_recent_lines)))
        return terminal_.print("log: usage: log [N], N from 1 to {}\n", kernel_log::kept_recent_lines);
    auto session = Session<protocols::KernelLog>::open();
    if (session.is_error()) return terminal_.print("log: {}\n", base::error_name(session.error()));
    auto where = session.value().call(kernel_log::Recent{~u64(0)});
    if (where.is_error() || !where.value().is<kernel_log::Lines>()) return terminal_.write("log: no reply\n");
    u64 latest = where.value().get<kernel_log::Lines>().latest;
    u64 after = latest > wanted ? latest - wanted : 0;
    while (after < latest) {
        auto reply = session.value().call(kernel_log::Recent{after});
        if (reply.is_error() || !reply.value().is<kernel_log::Lines>()) return terminal_.write("log: no reply\n");
        const auto& lines = reply.value().get<kernel_log::Lines>();
        if (lines.lines.size() == 0) return;
        u64 sequence = lines.first_sequence;
        for (StringView line : lines.lines) {
            if (sequence > latest) return;  // lines logged since we started: the next `log` shows them
            terminal_.print("{}\n", line);
            after = sequence++;
        }
    }
}

void Shell::call(const Words& words) {
    if (words.count >= 2 && words.word[1] == "kernel.time") return call_time(words);
    if (words.count >= 2 && words.word[1] == "demo.kv") return call_kv(words);
    if (words.count >= 2) terminal_.print("call: this shell has no client for \"{}\"\n", words.word[1]);
    terminal_.write("call: usage: call kernel.time now|resolution, call demo.kv get KEY|put KEY VALUE|remove KEY\n");
}

void Shell::call_time(const Words& words) {
    if (words.count != 3 || (words.word[2] != "now" && words.word[2] != "resolution"))
        return terminal_.write("call: usage: call kernel.time now|resolution\n");
    auto time = poplar::ServiceClient<protocols::KernelTime>::subscribe("kernel.time", abi::deadline_now, second);
    if (time.is_error()) return terminal_.print("call: kernel.time: {}\n", base::error_name(time.error()));
    if (words.word[2] == "now") {
        auto reply = time.value().call(kernel_time::Now{});
        if (reply.is_ok() && reply.value().is<kernel_time::Time>())
            return terminal_.print("kernel.time: {} ns since boot\n",
                                   reply.value().get<kernel_time::Time>().nanoseconds);
    } else {
        auto reply = time.value().call(kernel_time::GetResolution{});
        if (reply.is_ok() && reply.value().is<kernel_time::Resolution>())
            return terminal_.print("kernel.time: the clock steps by {} ns\n",
                                   reply.value().get<kernel_time::Resolution>().nanoseconds);
    }
    terminal_.write("call: kernel.time gave no answer\n");
}

void Shell::call_kv(const Words& words) {
    StringView verb = words.count >= 3 ? words.word[2] : StringView();
    bool valid = (verb == "get" && words.count == 4) || (verb == "remove" && words.count == 4) ||
                 (verb == "put" && words.count >= 5);
    if (!valid) return terminal_.write("call: usage: call demo.kv get KEY | put KEY VALUE | remove KEY\n");
    auto store = poplar::ServiceClient<protocols::KeyValue>::subscribe("demo.kv", abi::deadline_now, second);
    if (store.is_error())
        return terminal_.print("call: demo.kv: {} (not running? `run kv_store &` starts it)\n",
                               base::error_name(store.error()));
    StringView key = words.word[3];
    base::ErrorOr<protocols::KeyValue::Response> reply = base::Error::Internal;
    if (verb == "get") reply = store.value().call(kv::Get{key});
    if (verb == "remove") reply = store.value().call(kv::Remove{key});
    if (verb == "put") reply = store.value().call(kv::Put{key, rest_of(words.word, words.count, 4)});
    if (reply.is_error()) return terminal_.print("call: demo.kv: {}\n", base::error_name(reply.error()));
    const auto& answer = reply.value();
    if (answer.is<kv::Found>()) return terminal_.print("demo.kv: {} = \"{}\"\n", key, answer.get<kv::Found>().value);
    if (answer.is<kv::Missing>()) return terminal_.print("demo.kv: no {}\n", key);
    if (answer.is<kv::Stored>()) return terminal_.print("demo.kv: stored {}\n", key);
    if (answer.is<kv::Removed>()) return terminal_.print("demo.kv: removed {}\n", key);
    if (answer.is<kv::Refused>())
        return terminal_.print("demo.kv: refused (reason {})\n", answer.get<kv::Refused>().reason);
    terminal_.write("demo.kv: an answer this shell does not know\n");
}

void Shell::bench() {
    constexpr usize runs = 1000;
    static u64 samples[runs];
    for (usize i = 0; i < runs; ++i) {
        u64 start = bench::cycles();
        (void)sys::clock_read();
        samples[i] = bench::cycles() - start;
    }
    sort(samples, runs);
    terminal_.print("bench: null system call (clock_read): median {} cycles, best {} ({} runs)\n", samples[runs / 2],
                    samples[0], runs);
    auto time = poplar::ServiceClient<protocols::KernelTime>::subscribe("kernel.time", abi::deadline_now, second);
    if (time.is_error()) return terminal_.print("bench: kernel.time: {}\n", base::error_name(time.error()));
    for (usize i = 0; i < runs; ++i) {
        u64 start = bench::cycles();
        auto reply = time.value().call(kernel_time::Now{});
        samples[i] = bench::cycles() - start;
        if (reply.is_error()) return terminal_.print("bench: kernel.time: {}\n", base::error_name(reply.error()));
    }
    sort(samples, runs);
    terminal_.print("bench: kernel.time Now (a channel call into the kernel and back): median {} cycles, best {}\n",
                    samples[runs / 2], samples[0]);
    terminal_.write(
        "bench: cycles are the TSC's (under QEMU's -icount, instructions); ./tools/benchmark.sh has more\n");
}

void Shell::shut_down() {
    for (Child& child : children_) {
        if (child.id == 0) continue;
        (void)child.task.kill();
        (void)child.task.wait(sys::deadline_after(second));
        terminal_.print("killed task {} ({})\n", child.id, name_of(child.name, sizeof(child.name)));
        child = Child();
    }
    terminal_.write("shell: shutting down\n");
}

}  // namespace shell
