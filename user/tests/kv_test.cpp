// user -> user: the demo.kv store (user/demo/kv_store.cpp) and its clients through the registry,
// with poplar/service.h on both sides; and what a client sees when its provider misbehaves
// (user/tests/kv_misbehaver.cpp). Needs the boot modules kv_store, kv_client and kv_misbehaver.

#include <poplar/channel.h>
#include <poplar/protocols/key_value.h>
#include <poplar/service.h>
#include <poplar/service_scope.h>
#include <poplar/start.h>
#include <poplar/start_argument.h>
#include <poplar/task.h>

#include "object_counts.h"
#include "test.h"

using base::Error;
using base::StringView;
using poplar::Channel;
using poplar::Handle;
using poplar::ServiceClient;
using poplar::Task;
using poplar::protocols::KeyValue;
using usertest::counts;
using usertest::settled_counts;
namespace abi = poplar::abi;
namespace kv = poplar::protocols::key_value;
namespace sys = poplar::sys;

namespace {

constexpr u64 millisecond = 1'000'000;
constexpr u64 second = 1000 * millisecond;
constexpr StringView store_name = "test.kv";

// A program started with `argument` as its argument text, and the end of its argument channel
// (held until it has ended, as init does).
struct Child {
    Task task;
    Channel argument;

    Child(Task task, Channel argument) : task(base::move(task)), argument(base::move(argument)) {}
    Child(Child&&) = default;
    ~Child() {
        if (task) {
            (void)task.kill();
            (void)task.wait(sys::deadline_after(second));
        }
    }
};

base::ErrorOr<Child> start(StringView program, StringView argument) {
    // Its argument, then our service scope (a store registers with it).
    auto started = TRY(poplar::spawn_with_argument(program, argument, TRY(poplar::duplicate_service_scope())));
    return Child{base::move(started.task), base::move(started.channel)};
}

using Client = ServiceClient<KeyValue>;

// A client of test.kv, waiting up to five seconds for the store to start (a loaded machine is
// slow to load a program); its calls time out after a second.
base::ErrorOr<Client> connect(StringView name = store_name) {
    return Client::subscribe(name, sys::deadline_after(5 * second), second);
}

bool is_refused(const base::ErrorOr<KeyValue::Response>& reply, kv::Reason reason) {
    return reply.is_ok() && reply.value().is<kv::Refused>() &&
           reply.value().get<kv::Refused>().reason == static_cast<u8>(reason);
}
template <typename T>
bool is(const base::ErrorOr<KeyValue::Response>& reply) {
    return reply.is_ok() && reply.value().is<T>();
}
bool found(const base::ErrorOr<KeyValue::Response>& reply, StringView value) {
    return is<kv::Found>(reply) && reply.value().get<kv::Found>().value == value;
}

// Text of `length` copies of `c`, from a buffer big enough for every limit here.
StringView repeated(char c, usize length) {
    static char text[256];
    for (usize i = 0; i < length; ++i) text[i] = c;
    return StringView(text, length);
}

abi::ObjectCounts baseline;

}  // namespace

// The client subscribes before the store exists: the subscribe waits for it.
USER_TEST(a_waiting_subscribe_is_served_once_the_store_registers) {
    auto store = ASSERT_OK(start("kv_store", store_name));
    auto client = ASSERT_OK(connect());
    EXPECT(is<kv::Stored>(client.call(kv::Put{"colour", "blue"})));
    EXPECT(found(client.call(kv::Get{"colour"}), "blue"));
    EXPECT(is<kv::Stored>(client.call(kv::Put{"colour", "green"})));  // replaces
    EXPECT(found(client.call(kv::Get{"colour"}), "green"));
    EXPECT(is<kv::Removed>(client.call(kv::Remove{"colour"})));
    EXPECT(is<kv::Missing>(client.call(kv::Get{"colour"})));
    EXPECT(is<kv::Missing>(client.call(kv::Remove{"colour"})));
    EXPECT(is<kv::Missing>(client.call(kv::Get{""})));
}

USER_TEST(the_store_refuses_at_each_limit_and_one_past) {
    auto store = ASSERT_OK(start("kv_store", store_name));
    auto client = ASSERT_OK(connect());
    EXPECT(is_refused(client.call(kv::Put{"", "x"}), kv::Reason::empty_key));
    EXPECT(is<kv::Stored>(client.call(kv::Put{repeated('k', kv::max_key_bytes), "x"})));
    EXPECT(is_refused(client.call(kv::Put{repeated('k', kv::max_key_bytes + 1), "x"}), kv::Reason::key_too_long));
    EXPECT(is<kv::Stored>(client.call(kv::Put{"v", repeated('v', kv::max_value_bytes)})));
    EXPECT(is_refused(client.call(kv::Put{"w", repeated('v', kv::max_value_bytes + 1)}), kv::Reason::value_too_long));
    // Full: two keys are in; fill the rest, then one more is refused, but a replacement fits.
    for (usize i = 2; i < kv::max_entries; ++i) {
        char key[2] = {static_cast<char>('A' + i / 26), static_cast<char>('a' + i % 26)};
        EXPECT(is<kv::Stored>(client.call(kv::Put{StringView(key, 2), "x"})));
    }
    EXPECT(is_refused(client.call(kv::Put{"one_too_many", "x"}), kv::Reason::store_full));
    EXPECT(is<kv::Stored>(client.call(kv::Put{"v", "replaced"})));
    EXPECT(found(client.call(kv::Get{"v"}), "replaced"));
}

// 32 clients at once (the host's limit), each with its own key; a 33rd waits for a place.
USER_TEST(thirty_two_clients_at_once_and_a_thirty_third_waits_its_turn) {
    auto store = ASSERT_OK(start("kv_store", store_name));
    constexpr usize count = 32;
    Client* clients[count] = {};
    alignas(Client) static u8 storage[count][sizeof(Client)];
    usize connected = 0;
    for (; connected < count; ++connected) {
        auto client = connect();
        if (client.is_error()) break;
        clients[connected] = new (storage[connected]) Client(client.release_value());
    }
    EXPECT_EQ(connected, count);
    for (usize i = 0; i < connected; ++i) {
        char key[3] = {'c', static_cast<char>('a' + i / 26), static_cast<char>('a' + i % 26)};
        EXPECT(is<kv::Stored>(clients[i]->call(kv::Put{StringView(key, 3), StringView(key, 3)})));
    }
    for (usize i = 0; i < connected; ++i) {
        char key[3] = {'c', static_cast<char>('a' + i / 26), static_cast<char>('a' + i % 26)};
        EXPECT(found(clients[i]->call(kv::Get{StringView(key, 3)}), StringView(key, 3)));
    }
    auto extra = ASSERT_OK(connect());
    extra.set_timeout(100 * millisecond);
    EXPECT_ERROR(extra.call(kv::Get{"caa"}), Error::TimedOut);  // not accepted yet
    // Its request waits in its channel; once a place frees, it is accepted and answered.
    clients[0]->~Client();
    auto reply = extra.channel().wait(abi::signals::readable, sys::deadline_after(second));
    EXPECT_OK(reply);
    for (usize i = 1; i < connected; ++i) clients[i]->~Client();
}

USER_TEST(a_client_that_sends_garbage_is_dropped_and_the_others_go_on) {
    auto store = ASSERT_OK(start("kv_store", store_name));
    auto good = ASSERT_OK(connect());
    auto bad = ASSERT_OK(connect());
    EXPECT(is<kv::Stored>(good.call(kv::Put{"k", "v"})));
    const u8 garbage[] = {0x09, 0xff, 0xff, 0xff, 0xff, 0xff};
    EXPECT_OK(bad.channel().send(base::ReadonlyBytes(garbage, sizeof(garbage))));
    EXPECT_EQ(bad.channel().wait(abi::signals::peer_closed, sys::deadline_after(second)).value_or(0) &
                  abi::signals::peer_closed,
              abi::signals::peer_closed);
    EXPECT(found(good.call(kv::Get{"k"}), "v"));
}

// A client killed while its calls are in flight: the store drops it and serves the next one.
USER_TEST(a_client_killed_mid_call_leaves_the_store_serving) {
    auto store = ASSERT_OK(start("kv_store", store_name));
    auto client = ASSERT_OK(connect());
    auto looper = ASSERT_OK(start("kv_client", "loop test.kv"));
    // Once its calls are landing (bounded: a looper that never calls fails the check below).
    u64 give_up = sys::clock_read() + 5 * second;
    while (!found(client.call(kv::Get{"loop"}), "again") && sys::clock_read() < give_up)
        (void)sys::sleep(sys::deadline_after(millisecond));
    EXPECT(found(client.call(kv::Get{"loop"}), "again"));
    EXPECT_OK(looper.task.kill());
    EXPECT_OK(looper.task.wait(sys::deadline_after(second)));
    EXPECT(is<kv::Stored>(client.call(kv::Put{"after", "the kill"})));
}

USER_TEST(a_provider_that_dies_mid_call_gives_peer_closed) {
    auto provider = ASSERT_OK(start("kv_misbehaver", "die test.bad"));
    auto client = ASSERT_OK(connect("test.bad"));
    EXPECT_ERROR(client.call(kv::Get{"k"}), Error::PeerClosed);
    EXPECT_EQ(provider.task.wait(sys::deadline_after(second)).value_or(0), 7);
}

USER_TEST(a_stalled_provider_gives_timed_out_at_the_deadline) {
    auto provider = ASSERT_OK(start("kv_misbehaver", "stall test.bad"));
    auto client = ASSERT_OK(connect("test.bad"));
    client.set_timeout(50 * millisecond);
    u64 started = sys::clock_read();
    EXPECT_ERROR(client.call(kv::Get{"k"}), Error::TimedOut);
    u64 waited = sys::clock_read() - started;
    EXPECT(waited >= 50 * millisecond);
    EXPECT(waited < 5 * second);  // not the stall itself (forever)
}

USER_TEST(a_provider_that_answers_garbage_gives_malformed_message) {
    auto provider = ASSERT_OK(start("kv_misbehaver", "garbage test.bad"));
    auto client = ASSERT_OK(connect("test.bad"));
    EXPECT_ERROR(client.call(kv::Get{"k"}), Error::MalformedMessage);
}

USER_TEST(a_subscribe_to_a_name_nobody_provides_times_out) {
    u64 started = sys::clock_read();
    EXPECT_ERROR(Client::subscribe("test.nobody", sys::deadline_after(30 * millisecond)), Error::TimedOut);
    EXPECT(sys::clock_read() - started >= 30 * millisecond);
    EXPECT_ERROR(Client::subscribe("test.nobody", abi::deadline_now), Error::NotFound);
}

USER_TEST(a_second_provider_of_a_live_name_is_refused) {
    auto store = ASSERT_OK(start("kv_store", store_name));
    auto client = ASSERT_OK(connect());  // the store is up
    EXPECT_ERROR(poplar::ServiceRegistration::create(store_name), Error::AlreadyExists);
}

// The store dies; its clients see peer_closed; a new store takes over the name (empty).
USER_TEST(a_restarted_store_takes_over_its_name) {
    auto first = ASSERT_OK(start("kv_store", store_name));
    auto old_client = ASSERT_OK(connect());
    EXPECT(is<kv::Stored>(old_client.call(kv::Put{"k", "v"})));
    EXPECT_OK(first.task.kill());
    EXPECT_OK(first.task.wait(sys::deadline_after(second)));
    EXPECT_ERROR(old_client.call(kv::Get{"k"}), Error::PeerClosed);
    auto second_store = ASSERT_OK(start("kv_store", store_name));
    auto new_client = ASSERT_OK(connect());
    EXPECT(is<kv::Missing>(new_client.call(kv::Get{"k"})));
}

// Every test's children, channels and registrations are gone once they have ended.
USER_TEST(nothing_is_left_behind) {
    auto now = settled_counts(baseline);
    EXPECT_COUNTS_EQ(now, baseline);
}

int main(const abi::StartInfo&) {
    baseline = counts();
    return usertest::run_all_tests("kv_test");
}
