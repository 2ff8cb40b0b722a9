// The kernel's service registry (service_register, service_subscribe, service_scope_narrow;
// docs/syscalls.md), from ring 3: user -> user services connected through it, the scope handles
// that give the right to register, and user -> kernel (kernel.log). Needs the boot module
// registry_partner, and the service scope init hands on.

#include <poplar/arena.h>
#include <poplar/channel.h>
#include <poplar/event.h>
#include <poplar/protocols/kernel_log.h>
#include <poplar/protocols/service_registry.h>
#include <poplar/ptah_channel.h>
#include <poplar/service_scope.h>
#include <poplar/start.h>
#include <poplar/start_argument.h>
#include <poplar/task.h>
#include <ptah/ptah.h>

#include "object_counts.h"
#include "test.h"

using base::Error;
using base::StringView;
using poplar::Channel;
using poplar::Handle;
using poplar::Task;
using usertest::counts;
using usertest::settled_counts;
namespace abi = poplar::abi;
namespace protocols = poplar::protocols;
namespace signals = poplar::abi::signals;
namespace sys = poplar::sys;

namespace {

constexpr u64 millisecond = 1'000'000;

// The scope init gave us: the root's names, with a budget of its own.
abi::HandleValue scope() { return poplar::service_scope(); }

base::ErrorOr<Channel> register_service(StringView name) {
    return Channel(TRY(sys::service_register(scope(), name.data(), name.length())));
}
base::ErrorOr<Channel> subscribe(StringView name, u64 deadline = abi::deadline_now) {
    return Channel(TRY(sys::service_subscribe(name.data(), name.length(), deadline)));
}

u8 buffer[abi::max_message_bytes];

// The counts when the tests started: between tests everything is gone again, once the kernel jobs
// that free the registry's ends of closed registrations have run.
abi::ObjectCounts baseline;
abi::ObjectCounts quiet_counts() { return settled_counts(baseline); }

base::ReadonlyBytes bytes_of(StringView text) {
    return base::ReadonlyBytes(reinterpret_cast<const u8*>(text.data()), text.length());
}

// The next message on `channel` (waiting up to two seconds) as text.
base::ErrorOr<StringView> receive_text(const Channel& channel) {
    auto sizes = TRY(channel.receive(base::Bytes(buffer), {}, sys::deadline_after(2000 * millisecond)));
    return StringView(reinterpret_cast<const char*>(buffer), sizes.bytes);
}

// Takes the NewClient queued at `registration`: checks what it says, and returns the provider's
// end of the client's channel.
base::ErrorOr<Channel> accept_client(const Channel& registration, StringView service) {
    Handle received[1];
    auto sizes = TRY(registration.receive(base::Bytes(buffer), base::Span<Handle>(received, 1),
                                          sys::deadline_after(2000 * millisecond)));
    if (sizes.handles != 1) return Error::MalformedMessage;
    ptah::TransferredHandle transferred{received[0].value(),
                                        static_cast<ptah::ObjectTypeTag>(poplar::ObjectType::Channel)};
    auto decoded = ptah::decode<protocols::ServiceProvider::Request>(
        base::ReadonlyBytes(buffer, sizes.bytes), base::Span<const ptah::TransferredHandle>(&transferred, 1), {});
    if (decoded.is_error()) return Error::MalformedMessage;
    const auto& new_client = decoded.value().get<protocols::service_registry::NewClient>();
    if (!(new_client.name == service) || !(new_client.client_name == StringView("registry_test")) ||
        new_client.channel.value != received[0].value() || new_client.client_task_id == 0)
        return Error::MalformedMessage;
    return Channel(received[0].release());
}

using Partner = poplar::StartedProgram;

// A registry_partner given `command`, and `partner_scope` (if valid) after its control channel.
base::ErrorOr<Partner> spawn_partner(StringView command, Handle partner_scope = {}) {
    return poplar::spawn_with_argument("registry_partner", command, base::move(partner_scope));
}

// Our scope narrowed to `name`.
Handle narrowed_to(StringView name) {
    auto narrowed = poplar::narrow_service_scope(scope(), name);
    return narrowed.is_ok() ? base::move(narrowed.value()) : Handle();
}

// The status byte a partner replies with (an error code, 0 for ok), or 0xff for no reply.
u8 partner_status(const Partner& partner) {
    auto text = receive_text(partner.channel);
    return text.is_ok() && text.value().length() == 1 ? buffer[0] : 0xff;
}

constexpr u8 status_of(Error error) { return static_cast<u8>(error); }

}  // namespace

USER_TEST(register_subscribe_and_exchange) {
    auto before = quiet_counts();
    {
        auto registration = ASSERT_OK(register_service("test.echo"));
        auto client = ASSERT_OK(subscribe("test.echo"));
        auto provider = ASSERT_OK(accept_client(registration, "test.echo"));
        EXPECT_OK(client.send(bytes_of("ping")));
        EXPECT_EQ(receive_text(provider).value_or("?"), StringView("ping"));
        EXPECT_OK(provider.send(bytes_of("pong")));
        EXPECT_EQ(receive_text(client).value_or("?"), StringView("pong"));
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

USER_TEST(duplicate_registration_is_refused_until_the_first_closes) {
    auto before = quiet_counts();
    {
        auto first = ASSERT_OK(register_service("test.duplicate"));
        EXPECT_ERROR(register_service("test.duplicate"), Error::AlreadyExists);
        first.reset();
        auto second = ASSERT_OK(register_service("test.duplicate"));
        EXPECT_OK(subscribe("test.duplicate"));
    }
    // The registry's ends go with the kernel jobs that watch them, soon after.
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

USER_TEST(bad_names_are_refused_and_change_nothing) {
    auto before = quiet_counts();
    char long_name[abi::max_service_name_bytes + 1];
    for (char& c : long_name) c = 'a';
    const char* bad[] = {"", "Upper", "a..b", ".a", "a.", "a b", "a/b"};
    for (const char* name : bad) {
        EXPECT_ERROR(sys::service_register(scope(), name, StringView(name).length()), Error::InvalidArgument);
        EXPECT_ERROR(sys::service_subscribe(name, StringView(name).length(), abi::deadline_now),
                     Error::InvalidArgument);
    }
    EXPECT_ERROR(sys::service_register(scope(), long_name, sizeof(long_name)), Error::InvalidArgument);
    EXPECT_OK(register_service(StringView(long_name, sizeof(long_name) - 1)));  // the longest: closed at once
    EXPECT_ERROR(sys::service_register(scope(), reinterpret_cast<const char*>(0x1000), 4), Error::BadAddress);
    EXPECT_ERROR(sys::service_subscribe(reinterpret_cast<const char*>(~u64(0) - 2), 2, abi::deadline_now),
                 Error::BadAddress);
    // Lengths are checked at full width: a value whose low bits look small is still refused.
    EXPECT_ERROR(sys::service_register(scope(), "abcd", (1ull << 32) | 4), Error::InvalidArgument);
    EXPECT_ERROR(sys::service_register(scope(), "abcd", (1ull << 63) | 4), Error::InvalidArgument);
    EXPECT_ERROR(sys::service_subscribe("abcd", ~u64(0), abi::deadline_now), Error::InvalidArgument);
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

USER_TEST(kernel_names_cannot_be_registered_by_user_tasks) {
    auto before = quiet_counts();
    EXPECT_ERROR(register_service("kernel"), Error::AccessDenied);
    EXPECT_ERROR(register_service("kernel.log"), Error::AccessDenied);
    EXPECT_ERROR(subscribe("kernel.nothing"), Error::NotFound);
    EXPECT_OK(register_service("kernelish.log"));
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

// kernel.time and kernel.tasks are the kernel's own: no user task can register them (their
// sessions are tested by user.time_tasks).
USER_TEST(kernel_time_and_tasks_cannot_be_registered) {
    auto before = quiet_counts();
    EXPECT_ERROR(register_service("kernel.time"), Error::AccessDenied);
    EXPECT_ERROR(register_service("kernel.tasks"), Error::AccessDenied);
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

USER_TEST(registrations_per_task_are_limited_and_given_back) {
    auto before = quiet_counts();
    {
        constexpr usize limit = 16;  // docs/security.md, "Quotas"
        Channel registrations[limit];
        char name[] = "quota.a";
        for (usize i = 0; i < limit; ++i) {
            name[6] = static_cast<char>('a' + i);
            registrations[i] = ASSERT_OK(register_service(name));
        }
        EXPECT_ERROR(register_service("quota.over"), Error::LimitReached);
        registrations[3].reset();
        auto replacement = ASSERT_OK(register_service("quota.over"));
        EXPECT_ERROR(register_service("quota.more"), Error::LimitReached);
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

USER_TEST(subscribe_now_to_a_missing_name_is_not_found) { EXPECT_ERROR(subscribe("test.missing"), Error::NotFound); }

USER_TEST(subscribe_to_a_missing_name_times_out) {
    auto before = quiet_counts();
    u64 start = sys::clock_read();
    EXPECT_ERROR(subscribe("test.never", sys::deadline_after(30 * millisecond)), Error::TimedOut);
    EXPECT(sys::clock_read() - start >= 30 * millisecond);
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

USER_TEST(subscribe_with_a_passed_deadline_times_out) { EXPECT_ERROR(subscribe("test.never", 1), Error::TimedOut); }

USER_TEST(a_registration_end_only_receives) {
    auto registration = ASSERT_OK(register_service("test.receive_only"));
    EXPECT_ERROR(registration.send(bytes_of("x")), Error::AccessDenied);
}

USER_TEST(waiting_subscribe_succeeds_when_a_child_registers_and_provider_exit_removes_the_entry) {
    auto before = quiet_counts();
    {
        auto partner = ASSERT_OK(spawn_partner("provide late.service", narrowed_to("late")));
        // The partner registers 50 ms from now: this subscribe waits for it.
        auto client = ASSERT_OK(subscribe("late.service", sys::deadline_after(5000 * millisecond)));
        EXPECT_EQ(partner_status(partner), 0);  // its register status
        EXPECT_EQ(receive_text(client).value_or("?"), StringView("registry_test"));

        EXPECT_OK(partner.channel.send(bytes_of("exit")));
        EXPECT_EQ(partner.task.wait(sys::deadline_after(5000 * millisecond)).value_or(-1), 0);
        EXPECT_OK(client.wait(signals::peer_closed, sys::deadline_after(1000 * millisecond)));
        EXPECT_ERROR(subscribe("late.service"), Error::NotFound);
        auto again = ASSERT_OK(register_service("late.service"));
        EXPECT_OK(subscribe("late.service"));
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

USER_TEST(subscriber_killed_while_waiting_leaks_nothing) {
    auto before = quiet_counts();
    {
        auto partner = ASSERT_OK(spawn_partner("wait nobody.here"));
        (void)sys::sleep(sys::deadline_after(30 * millisecond));
        EXPECT_OK(partner.task.kill());
        EXPECT_EQ(partner.task.wait(sys::deadline_after(5000 * millisecond)).value_or(0), -1);
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

USER_TEST(one_service_many_clients) {
    auto before = quiet_counts();
    {
        constexpr usize client_count = 32;
        auto registration = ASSERT_OK(register_service("test.many"));
        Channel clients[client_count], providers[client_count];
        for (usize i = 0; i < client_count; ++i) clients[i] = ASSERT_OK(subscribe("test.many"));
        for (usize i = 0; i < client_count; ++i) providers[i] = ASSERT_OK(accept_client(registration, "test.many"));
        for (usize i = 0; i < client_count; ++i) {
            u8 index = static_cast<u8>(i);
            EXPECT_OK(clients[i].send(base::ReadonlyBytes(&index, 1)));
        }
        for (usize i = 0; i < client_count; ++i) {
            auto text = receive_text(providers[i]);
            EXPECT(text.is_ok() && text.value().length() == 1 && buffer[0] == i);
        }
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

USER_TEST(init_hands_on_a_root_scope) {
    auto info = ASSERT_OK(sys::handle_info(scope()));
    EXPECT_EQ(info.object_type, poplar::ObjectType::ServiceScope);
    EXPECT_EQ(info.rights & (abi::rights::write | abi::rights::duplicate | abi::rights::transfer),
              abi::rights::write | abi::rights::duplicate | abi::rights::transfer);
}

USER_TEST(a_child_registers_only_within_the_scope_it_is_given_and_can_only_narrow_it) {
    auto before = quiet_counts();
    {
        auto narrowing = ASSERT_OK(spawn_partner("narrow other", narrowed_to("scoped")));
        EXPECT_EQ(partner_status(narrowing), status_of(Error::AccessDenied));  // not within "scoped"
        EXPECT_OK(narrowing.channel.send(bytes_of("narrow scoped.inner")));
        EXPECT_EQ(partner_status(narrowing), 0);
        EXPECT_OK(narrowing.channel.send(bytes_of("narrow scoped")));  // back out: refused
        EXPECT_EQ(partner_status(narrowing), status_of(Error::AccessDenied));
        EXPECT_OK(narrowing.channel.send(bytes_of("provide scoped.x")));
        EXPECT_EQ(partner_status(narrowing), status_of(Error::AccessDenied));
        EXPECT_EQ(narrowing.task.wait(sys::deadline_after(5000 * millisecond)).value_or(0), 3);

        auto provider = ASSERT_OK(spawn_partner("provide scoped.inner.svc", narrowed_to("scoped")));
        EXPECT_EQ(partner_status(provider), 0);
        auto client = ASSERT_OK(subscribe("scoped.inner.svc", sys::deadline_after(5000 * millisecond)));
        EXPECT_EQ(receive_text(client).value_or("?"), StringView("registry_test"));
        EXPECT_OK(provider.channel.send(bytes_of("exit")));
        EXPECT_EQ(provider.task.wait(sys::deadline_after(5000 * millisecond)).value_or(-1), 0);

        auto elsewhere = ASSERT_OK(spawn_partner("provide any.name", narrowed_to("scoped")));
        EXPECT_EQ(partner_status(elsewhere), status_of(Error::AccessDenied));
        EXPECT_EQ(elsewhere.task.wait(sys::deadline_after(5000 * millisecond)).value_or(0), 3);

        // Given no scope, a child can register nothing (and make no scope of its own).
        auto nowhere = ASSERT_OK(spawn_partner("narrow any"));
        EXPECT_EQ(partner_status(nowhere), status_of(Error::BadHandle));
        EXPECT_OK(nowhere.channel.send(bytes_of("provide any.name")));
        EXPECT_EQ(partner_status(nowhere), status_of(Error::BadHandle));
        EXPECT_EQ(nowhere.task.wait(sys::deadline_after(5000 * millisecond)).value_or(0), 3);
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

USER_TEST(a_scope_handle_without_the_right_is_refused) {
    auto before = quiet_counts();
    {
        // write is the right to register; duplicate the right to narrow.
        Handle no_write(ASSERT_OK(sys::handle_duplicate(scope(), abi::rights::duplicate | abi::rights::transfer)));
        EXPECT_ERROR(sys::service_register(no_write.value(), "rights.x", 8), Error::AccessDenied);
        auto narrower = ASSERT_OK(poplar::narrow_service_scope(no_write.value(), "rights"));
        EXPECT_ERROR(sys::service_register(narrower.value(), "rights.x", 8), Error::AccessDenied);  // kept no write
        Handle no_duplicate(ASSERT_OK(sys::handle_duplicate(scope(), abi::rights::write | abi::rights::transfer)));
        EXPECT_ERROR(poplar::narrow_service_scope(no_duplicate.value(), "rights"), Error::AccessDenied);
        auto registration = ASSERT_OK(sys::service_register(no_duplicate.value(), "rights.y", 8));
        EXPECT_OK(sys::handle_close(registration));
        // Not a scope at all, or no handle.
        auto pair = ASSERT_OK(Channel::create());
        EXPECT_ERROR(sys::service_register(pair.first.value(), "rights.z", 8), Error::WrongType);
        EXPECT_ERROR(sys::service_scope_narrow(pair.first.value(), "rights", 6), Error::WrongType);
        EXPECT_ERROR(sys::service_register(abi::invalid_handle, "rights.z", 8), Error::BadHandle);
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

USER_TEST(kernel_names_are_outside_every_scope) {
    auto before = quiet_counts();
    EXPECT_ERROR(poplar::narrow_service_scope(scope(), "kernel"), Error::AccessDenied);
    EXPECT_ERROR(poplar::narrow_service_scope(scope(), "kernel.log"), Error::AccessDenied);
    {
        auto kernelish = ASSERT_OK(poplar::narrow_service_scope(scope(), "kernelish"));
        EXPECT_ERROR(sys::service_register(kernelish.value(), "kernel.x", 8), Error::AccessDenied);
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

// A registration counts against its scope's budget and the budget of every scope that one was
// made from (init gives each program a limited scope, so a program and all it starts cannot fill
// the registry for everyone).
USER_TEST(a_limited_scope_keeps_at_most_its_budget_live_through_every_scope_made_from_it) {
    auto before = quiet_counts();
    {
        auto limited = ASSERT_OK(poplar::limit_service_scope(scope(), 3));
        auto inner = ASSERT_OK(poplar::narrow_service_scope(limited.value(), "budget.inner"));
        auto first = ASSERT_OK(sys::service_register(limited.value(), "budget.a", 8));
        Channel second(ASSERT_OK(sys::service_register(inner.value(), "budget.inner.b", 14)));
        Channel third(ASSERT_OK(sys::service_register(inner.value(), "budget.inner.c", 14)));
        // Three live through `limited`, whichever scope each went through: one past is refused.
        EXPECT_ERROR(sys::service_register(limited.value(), "budget.d", 8), Error::LimitReached);
        EXPECT_ERROR(sys::service_register(inner.value(), "budget.inner.d", 14), Error::LimitReached);
        // A registration that ends gives its place back.
        second.reset();
        Channel again(ASSERT_OK(sys::service_register(limited.value(), "budget.d", 8)));
        EXPECT_ERROR(sys::service_register(limited.value(), "budget.e", 8), Error::LimitReached);
        // The scope we were given has room still: the limit is the derived scope's alone.
        auto outside = ASSERT_OK(register_service("budget.outside"));
        (void)sys::handle_close(first);
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

USER_TEST(a_scope_limit_is_checked_and_never_widens) {
    auto before = quiet_counts();
    {
        EXPECT_ERROR(sys::service_scope_limit(scope(), 0), Error::InvalidArgument);
        EXPECT_ERROR(sys::service_scope_limit(scope(), 1ull << 40), Error::InvalidArgument);  // past ours
        auto two = ASSERT_OK(poplar::limit_service_scope(scope(), 2));
        EXPECT_ERROR(sys::service_scope_limit(two.value(), 3), Error::InvalidArgument);  // wider than its own
        auto event = ASSERT_OK(poplar::Event::create());
        EXPECT_ERROR(sys::service_scope_limit(event.value(), 1), Error::WrongType);
        auto no_duplicate = ASSERT_OK(two.duplicate(abi::rights::write));
        EXPECT_ERROR(sys::service_scope_limit(no_duplicate.value(), 1), Error::AccessDenied);
        EXPECT_ERROR(sys::service_scope_limit(abi::invalid_handle, 1), Error::BadHandle);
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

// A registration walks its scope's chain, and dropping a scope drops the chain link by link: the
// chain is bounded (8 links from the root; init's limited scope is the first).
USER_TEST(scopes_made_from_scopes_stop_at_the_depth_limit) {
    auto before = quiet_counts();
    {
        Handle chain[8];
        abi::HandleValue from = scope();
        usize made = 0;
        for (; made < 8; ++made) {
            auto next = poplar::limit_service_scope(from, 40);
            if (next.is_error()) {
                EXPECT_ERROR(next, Error::LimitReached);
                break;
            }
            chain[made] = next.release_value();
            from = chain[made].value();
        }
        EXPECT_EQ(made, 7u);  // init's scope is link 1 of 8
        EXPECT_ERROR(poplar::narrow_service_scope(from, "deep"), Error::LimitReached);
        Channel deepest(ASSERT_OK(sys::service_register(from, "deep.enough", 11)));  // it still registers
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

USER_TEST(a_scope_handle_travels_over_a_channel) {
    auto before = quiet_counts();
    {
        auto pair = ASSERT_OK(Channel::create());
        Handle sent = narrowed_to("carried");
        abi::HandleValue value = sent.release();
        EXPECT_OK(sys::channel_send(pair.first.value(), "s", 1, &value, 1));
        Handle received[1];
        auto sizes = ASSERT_OK(pair.second.receive(base::Bytes(buffer), base::Span<Handle>(received, 1), 0));
        EXPECT_EQ(sizes.handles, 1u);
        EXPECT_EQ(ASSERT_OK(received[0].info()).object_type, poplar::ObjectType::ServiceScope);
        auto registration = ASSERT_OK(sys::service_register(received[0].value(), "carried.svc", 11));
        EXPECT_OK(sys::handle_close(registration));
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

USER_TEST(bad_scopes_are_refused) {
    auto before = quiet_counts();
    EXPECT_ERROR(sys::service_scope_narrow(scope(), "a..b", 4), Error::InvalidArgument);
    EXPECT_ERROR(sys::service_scope_narrow(scope(), "", 0), Error::InvalidArgument);
    EXPECT_ERROR(sys::service_scope_narrow(scope(), "abcd", (1ull << 32) | 4), Error::InvalidArgument);
    EXPECT_ERROR(sys::service_scope_narrow(scope(), reinterpret_cast<const char*>(0x1000), 4), Error::BadAddress);
    const char* name = "ok";
    auto high_bits =
        sys::raw(abi::Syscall::service_scope_narrow, (1ull << 32) | scope(), reinterpret_cast<u64>(name), 2);
    EXPECT_EQ(high_bits.status, static_cast<u64>(Error::BadHandle));
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

USER_TEST(subscribe_to_a_provider_not_taking_clients_should_wait) {
    auto before = quiet_counts();
    {
        constexpr usize queue_limit = 64;  // messages per end (docs/syscalls.md)
        auto registration = ASSERT_OK(register_service("test.busy"));
        Channel clients[queue_limit];
        for (usize i = 0; i < queue_limit; ++i) clients[i] = ASSERT_OK(subscribe("test.busy"));
        auto during = counts();
        EXPECT_ERROR(subscribe("test.busy", sys::deadline_after(10 * millisecond)), Error::ShouldWait);
        auto after = counts();
        EXPECT_COUNTS_EQ(after, during);  // the refused subscription left nothing behind
        auto provider = ASSERT_OK(accept_client(registration, "test.busy"));
        EXPECT_OK(subscribe("test.busy"));  // room again
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

// user -> kernel: kernel.log over the KernelLog protocol (poplar/protocols/kernel_log.h).
namespace {

namespace kernel_log = protocols::kernel_log;
using protocols::KernelLog;

// The reply to a Record, or the error (TimedOut: none came).
base::ErrorOr<KernelLog::Response> record(const Channel& channel, u8 level, StringView text) {
    poplar::PtahChannel transport(channel, 2000 * millisecond);
    ptah::Client<KernelLog, poplar::PtahChannel> client(transport);
    return client.call(kernel_log::Record{level, text});
}

bool is_recorded(const base::ErrorOr<KernelLog::Response>& reply) {
    return reply.is_ok() && reply.value().is<kernel_log::Recorded>();
}
bool is_refused(const base::ErrorOr<KernelLog::Response>& reply, kernel_log::Reason reason) {
    return reply.is_ok() && reply.value().is<kernel_log::Refused>() &&
           reply.value().get<kernel_log::Refused>().reason == static_cast<u8>(reason);
}

constexpr u8 info = static_cast<u8>(kernel_log::Level::info);

// The counts with a kernel.log session opened and closed once: the first session also gives this
// task its work queue, which stays.
abi::ObjectCounts counts_after_a_session() {
    u64 channels = counts().channels;
    (void)subscribe("kernel.log");
    // The session's kernel end goes once its job has seen the close.
    u64 end = sys::clock_read() + 1000 * millisecond;
    while (counts().channels != channels && sys::clock_read() < end) (void)sys::sleep(sys::deadline_after(millisecond));
    return counts();
}

}  // namespace

// The serial log shows "task registry_test: kernel.log from user space says hello (id N)"
// (tests/qemu/CMakeLists.txt looks for it).
USER_TEST(kernel_log_session_records_and_replies) {
    auto before = counts_after_a_session();
    {
        auto session = ASSERT_OK(subscribe("kernel.log"));
        EXPECT(is_recorded(record(session, info, "kernel.log from user space says hello")));
        EXPECT(is_recorded(record(session, static_cast<u8>(kernel_log::Level::warning), "a warning from user space")));
        EXPECT(is_recorded(record(session, info, "")));
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

USER_TEST(kernel_log_refuses_bad_records_and_keeps_serving) {
    auto before = counts_after_a_session();
    {
        auto session = ASSERT_OK(subscribe("kernel.log"));
        EXPECT(is_refused(record(session, kernel_log::max_level + 1, "x"), kernel_log::Reason::invalid_level));
        EXPECT(is_refused(record(session, 0xff, "x"), kernel_log::Reason::invalid_level));
        char long_text[kernel_log::max_text_bytes + 1];
        for (char& c : long_text) c = 'a';
        EXPECT(is_refused(record(session, info, StringView(long_text, sizeof(long_text))),
                          kernel_log::Reason::text_too_long));
        EXPECT(is_recorded(record(session, info, StringView(long_text, sizeof(long_text) - 1))));
        EXPECT(is_refused(record(session, info, "two\nlines"), kernel_log::Reason::unprintable_text));
        EXPECT(is_refused(record(session, info, "FAIL\r"), kernel_log::Reason::unprintable_text));
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

// Garbage ends the session: the client sees peer_closed (no reply to wait for), the kernel goes
// on, and a new session works.
USER_TEST(kernel_log_ends_a_session_that_sends_garbage) {
    auto before = counts_after_a_session();
    {
        auto session = ASSERT_OK(subscribe("kernel.log"));
        const u8 garbage[] = {0xde, 0xad, 0xbe, 0xef, 0xff, 0xff, 0xff, 0xff, 0x01};
        EXPECT_OK(session.send(base::ReadonlyBytes(garbage, sizeof(garbage))));
        EXPECT_EQ(sys::wait_one(session.value(), abi::signals::peer_closed, sys::deadline_after(2000 * millisecond))
                          .value_or(0) &
                      abi::signals::peer_closed,
                  abi::signals::peer_closed);
        EXPECT_ERROR(session.receive(base::Bytes(buffer), {}, abi::deadline_now), Error::PeerClosed);
        auto again = ASSERT_OK(subscribe("kernel.log"));
        EXPECT(is_recorded(record(again, info, "a new session after garbage")));
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

namespace {

poplar::Arena<8 * 1024> recent_arena;

bool contains(StringView text, StringView part) {
    for (usize at = 0; at + part.length() <= text.length(); ++at)
        if (text.substring(at, part.length()) == part) return true;
    return false;
}

// The reply to a Recent (its lines borrow from recent_arena and the client: use before the next).
base::ErrorOr<KernelLog::Response> recent(const Channel& channel, u64 after_sequence) {
    recent_arena.reset();
    poplar::PtahChannel transport(channel, 2000 * millisecond);
    ptah::Client<KernelLog, poplar::PtahChannel> client(transport, ptah::DecodeOptions{&recent_arena, {}});
    return client.call(kernel_log::Recent{after_sequence});
}

}  // namespace

// Recent reads back what the log printed: a record sent a moment ago is among the newest lines,
// a task's debug_log bytes outside printable ASCII come back as '?', a sequence from the future
// answers nothing but where the log is, and a reader far behind gets the oldest kept.
USER_TEST(kernel_log_recent_reads_the_newest_lines_back) {
    auto before = counts_after_a_session();
    {
        auto session = ASSERT_OK(subscribe("kernel.log"));
        EXPECT(is_recorded(record(session, info, "a line to read back")));
        const char unprintable[] = {'b', 'y', 't', 'e', 's', ' ', char(0xff), char(0x1b), 'x'};
        EXPECT_OK(sys::debug_log(unprintable, sizeof(unprintable)));
        auto where = recent(session, ~u64(0));
        EXPECT(where.is_ok() && where.value().is<kernel_log::Lines>());
        if (!where.is_ok() || !where.value().is<kernel_log::Lines>()) return;
        const auto& none = where.value().get<kernel_log::Lines>();
        u64 latest = none.latest;
        EXPECT_EQ(none.lines.size(), 0u);
        EXPECT(latest >= 2);
        auto newest = recent(session, latest - 2);
        EXPECT(newest.is_ok() && newest.value().is<kernel_log::Lines>());
        if (!newest.is_ok() || !newest.value().is<kernel_log::Lines>()) return;
        const auto& lines = newest.value().get<kernel_log::Lines>();
        EXPECT_EQ(lines.first_sequence, latest - 1);
        EXPECT(lines.lines.size() >= 2);
        if (lines.lines.size() >= 2) {
            EXPECT(contains(lines.lines[0], "task registry_test: a line to read back"));
            EXPECT(contains(lines.lines[1], "[registry_test] bytes ??x"));
        }
        auto behind = recent(session, 0);
        EXPECT(behind.is_ok() && behind.value().is<kernel_log::Lines>());
        if (behind.is_ok() && behind.value().is<kernel_log::Lines>()) {
            const auto& oldest = behind.value().get<kernel_log::Lines>();
            EXPECT_EQ(oldest.lines.size(), kernel_log::max_recent_lines);
            EXPECT(oldest.first_sequence >= 1 && oldest.first_sequence + kernel_log::kept_recent_lines > latest);
        }
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

USER_TEST(kernel_log_sessions_are_independent_and_closing_leaks_nothing) {
    auto before = counts_after_a_session();
    {
        constexpr usize session_count = 8;
        Channel sessions[session_count];
        for (auto& session : sessions) session = ASSERT_OK(subscribe("kernel.log"));
        for (usize i = 0; i < session_count; i += 2) sessions[i].reset();
        for (usize i = 1; i < session_count; i += 2) EXPECT(is_recorded(record(sessions[i], info, "odd session")));
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

// The kernel's work for a session runs on the client's work queue: its kernel-work time grows with
// the records it sends.
USER_TEST(kernel_log_work_is_charged_to_the_client) {
    auto session = ASSERT_OK(subscribe("kernel.log"));
    auto start = ASSERT_OK(Task::own_cpu_time());
    for (usize i = 0; i < 50; ++i)
        EXPECT(is_recorded(record(session, static_cast<u8>(kernel_log::Level::debug), "charged")));
    auto end = ASSERT_OK(Task::own_cpu_time());
    EXPECT(end.kernel_work_nanoseconds > start.kernel_work_nanoseconds);
}

int main(const abi::StartInfo&) {
    baseline = counts();
    return usertest::run_all_tests("registry_test");
}
