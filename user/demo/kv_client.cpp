// kv_client: a client of demo.kv (poplar/protocols/key_value.h), the example to copy when writing
// a client of a user service (docs/services.md).
//
// Its argument is the service name (default demo.kv). It stores a greeting under its own task
// name, reads it back and prints it. With the argument `loop NAME` it instead calls NAME forever
// (the tests kill it mid-call). It runs on the coroutine runtime (docs/user-runtime.md): the
// subscribe and each call are ring operations its one job awaits; the synchronous client
// (poplar::ServiceClient in poplar/service.h) does the same in a program without an executor.

#include <poplar/async/service.h>
#include <poplar/print.h>
#include <poplar/protocols/key_value.h>
#include <poplar/start.h>
#include <poplar/start_argument.h>

using base::StringView;
using poplar::protocols::KeyValue;
namespace kv = poplar::protocols::key_value;
namespace abi = poplar::abi;

namespace {

constexpr u64 millisecond = 1'000'000;
constexpr u64 second = 1000 * millisecond;

using Store = poplar::async::ServiceClient<KeyValue>;

poplar::async::Task<base::ErrorOr<int>> loop_forever(Store& store) {
    for (;;)
        if ((co_await store.call(kv::Put{"loop", "again"}, poplar::sys::deadline_after(second))).is_error())
            co_return 3;
}

poplar::async::Task<base::ErrorOr<int>> run(StringView name, StringView key, bool loop) {
    // Wait up to a second for the store to appear; give each call up to a second too.
    auto store = co_await Store::subscribe(name, poplar::sys::deadline_after(second));
    if (store.is_error()) {
        poplar::println("kv_client: cannot reach {}: {}", name, base::error_name(store.error()));
        co_return 1;
    }
    if (loop) co_return co_await loop_forever(store.value());

    auto stored =
        co_await store.value().call(kv::Put{key, "hello from a kv_client"}, poplar::sys::deadline_after(second));
    if (stored.is_error() || !stored.value().is<kv::Stored>()) co_return 2;
    auto found = co_await store.value().call(kv::Get{key}, poplar::sys::deadline_after(second));
    if (found.is_error() || !found.value().is<kv::Found>()) co_return 2;
    poplar::println("user -> user: kv_client got {} = \"{}\" from {}", key, found.value().get<kv::Found>().value, name);
    co_return 0;
}

}  // namespace

int main(const abi::StartInfo& start_info) {
    char argument[abi::StartInfo::max_arguments];
    StringView name = poplar::start_argument(start_info, argument, sizeof(argument));
    bool loop = name.starts_with("loop ");
    if (loop) name = name.substring(5);
    if (name.is_empty()) name = KeyValue::name;

    auto executor = poplar::async::Executor::create(4);
    if (executor.is_error()) return 4;
    return executor.value().block_on(run(name, StringView(start_info.name), loop)).value_or(4);
}
