// kernel.services, the service registry's listing and watch (poplar/protocols/kernel_services.h,
// docs/services.md "Discovery"), from ring 3: a watch sees every change in order with contiguous
// sequence numbers, a watcher that falls behind is told to resync and recovers by listing, the
// listing agrees with its sequence, and bad clients (garbage, dying while a watch waits) leave
// nothing behind. Needs the boot module registry_partner, and the service scope init hands on.

#include <poplar/service_scope.h>
#include <poplar/start.h>
#include <poplar/start_argument.h>
#include <poplar/task.h>

#include "kernel_services_client.h"
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
namespace signals = poplar::abi::signals;
namespace sys = poplar::sys;
namespace services = usertest::kernel_services;
namespace protocol = services::protocol;

namespace {

constexpr u64 millisecond = 1'000'000;

u8 buffer[abi::max_message_bytes];
services::Arena arena;
abi::ObjectCounts baseline;

base::ErrorOr<Channel> register_service(StringView name) {
    return Channel(TRY(sys::service_register(poplar::service_scope(), name.data(), name.length())));
}

base::ErrorOr<services::KernelServices::Response> call(const Channel& session,
                                                       const services::KernelServices::Request& request) {
    TRY(services::send(session, request));
    return services::receive(session, buffer, arena, sys::deadline_after(2000 * millisecond));
}

// A whole listing, page by page, all at one sequence.
struct Names {
    static constexpr usize capacity = 128;
    char bytes[capacity][abi::max_service_name_bytes];
    u8 lengths[capacity];
    usize count = 0;
    u64 sequence = 0;

    bool has(StringView name) const {
        for (usize i = 0; i < count; ++i)
            if (StringView(bytes[i], lengths[i]) == name) return true;
        return false;
    }
};
Names names;

base::ErrorOr<void> list_all(const Channel& session, Names& out) {
    for (int attempt = 0; attempt < 8; ++attempt) {
        out.count = 0;
        bool consistent = true;
        u32 first = 0;
        for (;;) {
            auto reply = TRY(call(session, protocol::List{first}));
            if (!reply.is<protocol::Listing>()) return Error::MalformedMessage;
            const auto& listing = reply.get<protocol::Listing>();
            if (listing.first != first || listing.names.size() > protocol::max_listing_names)
                return Error::MalformedMessage;
            if (first == 0) out.sequence = listing.sequence;
            if (listing.sequence != out.sequence) {
                consistent = false;  // it changed between pages: start over
                break;
            }
            for (const StringView& name : listing.names) {
                if (out.count == Names::capacity || name.length() > abi::max_service_name_bytes)
                    return Error::MalformedMessage;
                __builtin_memcpy(out.bytes[out.count], name.data(), name.length());
                out.lengths[out.count++] = static_cast<u8>(name.length());
            }
            first += listing.names.size();
            if (first >= listing.total || listing.names.is_empty()) break;
        }
        if (consistent) return {};
    }
    return Error::ShouldWait;
}

u64 current_sequence(const Channel& session) {
    auto reply = call(session, protocol::List{~u32(0)});  // no names: just the sequence
    if (reply.is_error() || !reply.value().is<protocol::Listing>()) return 0;
    return reply.value().get<protocol::Listing>().sequence;
}

// Changes seen by a watcher: names (ours, with a prefix) and whether each appeared.
struct Seen {
    static constexpr usize capacity = 256;
    char names[capacity][abi::max_service_name_bytes];
    u8 lengths[capacity];
    bool appeared[capacity];
    usize count = 0;
    bool contiguous = true;
    u64 last = 0;

    void add(const protocol::Change& change) {
        if (change.sequence != last + 1) contiguous = false;
        last = change.sequence;
        if (count == capacity || change.name.length() > abi::max_service_name_bytes) return;
        __builtin_memcpy(names[count], change.name.data(), change.name.length());
        lengths[count] = static_cast<u8>(change.name.length());
        appeared[count++] = change.appeared != 0;
    }
    // Where `name` appeared and disappeared (-1: not seen), and how often.
    int index_of(StringView name, bool appearance, usize& times) const {
        int found = -1;
        times = 0;
        for (usize i = 0; i < count; ++i)
            if (StringView(names[i], lengths[i]) == name && appeared[i] == appearance) {
                if (found < 0) found = static_cast<int>(i);
                ++times;
            }
        return found;
    }
};
Seen seen;

// Watches from seen.last until `done` holds or two seconds pass; false on Resync or an error.
template <typename Done>
bool watch_until(const Channel& session, Done done) {
    u64 give_up = sys::clock_read() + 2000 * millisecond;
    while (!done() && sys::clock_read() < give_up) {
        auto reply = call(session, protocol::Watch{seen.last});
        if (reply.is_error() || !reply.value().is<protocol::Changes>()) return false;
        for (const auto& change : reply.value().get<protocol::Changes>().changes) seen.add(change);
    }
    return done();
}

bool appeared_then_disappeared_once(StringView name) {
    usize appearances = 0, disappearances = 0;
    int appeared = seen.index_of(name, true, appearances);
    int disappeared = seen.index_of(name, false, disappearances);
    return appearances == 1 && disappearances == 1 && appeared >= 0 && appeared < disappeared;
}

using Partner = poplar::StartedProgram;

base::ErrorOr<Partner> spawn_partner(StringView command, Handle scope = {}) {
    return poplar::spawn_with_argument("registry_partner", command, base::move(scope));
}

u8 partner_status(const Partner& partner) {
    u8 status[1];
    auto sizes = partner.channel.receive(base::Bytes(status, 1), {}, sys::deadline_after(2000 * millisecond));
    return sizes.is_ok() && sizes.value().bytes == 1 ? status[0] : 0xff;
}

}  // namespace

USER_TEST(the_listing_holds_the_kernel_services_and_agrees_with_the_sequence) {
    auto session = ASSERT_OK(services::open_session());
    ASSERT_OK(list_all(session, names));
    EXPECT(names.has("kernel.log"));
    EXPECT(names.has("kernel.time"));
    EXPECT(names.has("kernel.services"));
    EXPECT(!names.has("disc.listed"));
    u64 before = names.sequence;
    {
        auto registration = ASSERT_OK(register_service("disc.listed"));
        ASSERT_OK(list_all(session, names));
        EXPECT(names.has("disc.listed"));
        EXPECT(names.sequence > before);
        // What the log says since `before` is what the listing shows.
        seen = Seen{};
        seen.last = before;
        EXPECT(watch_until(session, [&] { return seen.last >= names.sequence; }));
        usize times = 0;
        EXPECT(seen.index_of("disc.listed", true, times) >= 0 && times == 1);
        EXPECT(seen.contiguous);
    }
    // Gone once its watcher (or the next registry operation) finds it closed.
    u64 end = sys::clock_read() + 1000 * millisecond;
    do {
        ASSERT_OK(list_all(session, names));
    } while (names.has("disc.listed") && sys::clock_read() < end);
    EXPECT(!names.has("disc.listed"));
}

USER_TEST(listing_comes_in_pages_at_one_sequence) {
    auto before = settled_counts(baseline);
    {
        constexpr usize count = 16;  // a task's limit, and more than a page with the kernel's names
        Channel registrations[count];
        char name[] = "disc.page.a";
        for (usize i = 0; i < count; ++i) {
            name[10] = static_cast<char>('a' + i);
            registrations[i] = ASSERT_OK(register_service(name));
        }
        auto session = ASSERT_OK(services::open_session());
        ASSERT_OK(list_all(session, names));
        EXPECT(names.count > protocol::max_listing_names);
        for (usize i = 0; i < count; ++i) {
            name[10] = static_cast<char>('a' + i);
            EXPECT(names.has(name));
        }
        auto past = ASSERT_OK(call(session, protocol::List{1000}));
        ASSERT(past.is<protocol::Listing>());
        EXPECT_EQ(past.get<protocol::Listing>().names.size(), 0u);
        EXPECT_EQ(past.get<protocol::Listing>().total, names.count);
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

USER_TEST(a_watch_sees_every_change_in_order_including_a_provider_that_dies) {
    auto before = settled_counts(baseline);
    {
        auto session = ASSERT_OK(services::open_session());
        seen = Seen{};
        seen.last = current_sequence(session);
        ASSERT(seen.last > 0);

        // A Watch with nothing new waits: no reply until something changes.
        ASSERT_OK(services::send(session, protocol::Watch{seen.last}));
        EXPECT_ERROR(services::receive(session, buffer, arena, sys::deadline_after(30 * millisecond)), Error::TimedOut);
        constexpr usize count = 10;
        char name[] = "disc.watch.a";
        for (usize i = 0; i < count; ++i) {
            name[11] = static_cast<char>('a' + i);
            auto registration = ASSERT_OK(register_service(name));
            if (i == 0) {
                auto first =
                    ASSERT_OK(services::receive(session, buffer, arena, sys::deadline_after(2000 * millisecond)));
                ASSERT(first.is<protocol::Changes>());
                for (const auto& change : first.get<protocol::Changes>().changes) seen.add(change);
            }
        }
        auto provider = ASSERT_OK(spawn_partner(
            "provide disc.watch.partner", ASSERT_OK(poplar::narrow_service_scope(poplar::service_scope(), "disc"))));
        EXPECT_EQ(partner_status(provider), 0);
        EXPECT_OK(provider.task.kill());
        EXPECT_OK(provider.task.wait(sys::deadline_after(5000 * millisecond)));

        // Until the last of ours has gone (the partner's entry goes with its task).
        EXPECT(watch_until(session, [&] {
            usize partner_gone = 0, last_gone = 0;
            (void)seen.index_of("disc.watch.partner", false, partner_gone);
            (void)seen.index_of("disc.watch.j", false, last_gone);
            return partner_gone == 1 && last_gone == 1;
        }));
        EXPECT(seen.contiguous);
        for (usize i = 0; i < count; ++i) {
            name[11] = static_cast<char>('a' + i);
            EXPECT(appeared_then_disappeared_once(name));
        }
        EXPECT(appeared_then_disappeared_once("disc.watch.partner"));
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

USER_TEST(a_watcher_that_falls_behind_is_told_to_resync_and_recovers_by_listing) {
    auto before = settled_counts(baseline);
    {
        auto session = ASSERT_OK(services::open_session());
        u64 old = current_sequence(session);
        // Well over the log's worth of changes.
        for (usize i = 0; i < protocol::max_changes; ++i) (void)ASSERT_OK(register_service("disc.churn"));
        u64 end = sys::clock_read() + 1000 * millisecond;
        while (current_sequence(session) < old + protocol::max_changes + 2 && sys::clock_read() < end)
            (void)sys::sleep(sys::deadline_after(millisecond));
        auto behind = ASSERT_OK(call(session, protocol::Watch{old}));
        ASSERT(behind.is<protocol::Resync>());
        u64 resync = behind.get<protocol::Resync>().sequence;
        EXPECT(resync > old + protocol::max_changes);
        // A sequence from the future is as bad.
        auto future = ASSERT_OK(call(session, protocol::Watch{resync + 1000}));
        EXPECT(future.is<protocol::Resync>());

        ASSERT_OK(list_all(session, names));
        EXPECT(names.sequence >= resync);
        auto late = ASSERT_OK(register_service("disc.after.resync"));
        seen = Seen{};
        seen.last = names.sequence;
        EXPECT(watch_until(session, [&] {
            usize times = 0;
            return seen.index_of("disc.after.resync", true, times) >= 0;
        }));
        EXPECT(seen.contiguous);
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

USER_TEST(garbage_ends_the_session_and_the_kernel_goes_on) {
    auto before = settled_counts(baseline);
    {
        auto session = ASSERT_OK(services::open_session());
        const u8 garbage[] = {0xde, 0xad, 0xbe, 0xef, 0xff, 0xff, 0xff, 0xff, 0x01};
        EXPECT_OK(session.send(base::ReadonlyBytes(garbage, sizeof(garbage))));
        EXPECT_OK(session.wait(signals::peer_closed, sys::deadline_after(2000 * millisecond)));
        EXPECT_ERROR(session.receive(base::Bytes(buffer), {}, abi::deadline_now), Error::PeerClosed);
        // An unknown alternative (index 2) does not decode either.
        auto other = ASSERT_OK(services::open_session());
        const u8 unknown[] = {2, 0, 0, 0};
        EXPECT_OK(other.send(base::ReadonlyBytes(unknown, sizeof(unknown))));
        EXPECT_OK(other.wait(signals::peer_closed, sys::deadline_after(2000 * millisecond)));
        auto again = ASSERT_OK(services::open_session());
        EXPECT(current_sequence(again) > 0);
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

USER_TEST(closing_a_session_while_its_watch_waits_leaks_nothing) {
    auto before = settled_counts(baseline);
    {
        auto session = ASSERT_OK(services::open_session());
        ASSERT_OK(services::send(session, protocol::Watch{current_sequence(session)}));
        (void)sys::sleep(sys::deadline_after(10 * millisecond));
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

USER_TEST(a_client_that_dies_while_its_watch_waits_leaks_nothing) {
    auto before = settled_counts(baseline);
    {
        auto watcher = ASSERT_OK(spawn_partner("watch"));
        EXPECT_EQ(partner_status(watcher), 0);
        (void)sys::sleep(sys::deadline_after(10 * millisecond));
        EXPECT_OK(watcher.task.kill());
        EXPECT_EQ(watcher.task.wait(sys::deadline_after(5000 * millisecond)).value_or(0), -1);
    }
    auto now = settled_counts(before);
    EXPECT_COUNTS_EQ(now, before);
}

int main(const abi::StartInfo&) {
    // The first session gives this task its work queue, which stays: open one before the baseline,
    // and wait for its kernel end to go with its job.
    auto before = counts();
    (void)services::open_session();
    baseline = settled_counts(before);
    return usertest::run_all_tests("services_test");
}
