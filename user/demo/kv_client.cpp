// kv_client: a client of demo.kv (poplar/protocols/key_value.h), the example to copy when writing
// a client of a user service (docs/services.md).
//
// Its argument is the service name (default demo.kv). It stores a greeting under its own task
// name, reads it back and prints it. With the argument `loop NAME` it instead calls NAME forever
// (the tests kill it mid-call).

#include <poplar/print.h>
#include <poplar/protocols/key_value.h>
#include <poplar/service.h>
#include <poplar/start.h>
#include <poplar/start_argument.h>

using base::StringView;
using poplar::protocols::KeyValue;
namespace kv = poplar::protocols::key_value;
namespace abi = poplar::abi;

namespace {

constexpr u64 millisecond = 1'000'000;

int loop_forever(poplar::ServiceClient<KeyValue>& store) {
    for (;;)
        if (store.call(kv::Put{"loop", "again"}).is_error()) return 3;
}

}  // namespace

int main(const abi::StartInfo& start_info) {
    char argument[abi::StartInfo::max_arguments];
    StringView name = poplar::start_argument(start_info, argument, sizeof(argument));
    bool loop = name.starts_with("loop ");
    if (loop) name = name.substring(5);
    if (name.is_empty()) name = KeyValue::name;

    // Wait up to a second for the store to appear; give each call up to a second too.
    auto store = poplar::ServiceClient<KeyValue>::subscribe(name, poplar::sys::deadline_after(1000 * millisecond),
                                                            1000 * millisecond);
    if (store.is_error()) {
        poplar::println("kv_client: cannot reach {}: {}", name, base::error_name(store.error()));
        return 1;
    }
    if (loop) return loop_forever(store.value());

    StringView key(start_info.name);
    auto stored = store.value().call(kv::Put{key, "hello from a kv_client"});
    if (stored.is_error() || !stored.value().is<kv::Stored>()) return 2;
    auto found = store.value().call(kv::Get{key});
    if (found.is_error() || !found.value().is<kv::Found>()) return 2;
    poplar::println("user -> user: kv_client got {} = \"{}\" from {}", key, found.value().get<kv::Found>().value, name);
    return 0;
}
