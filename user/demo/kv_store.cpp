// kv_store: the demo.kv key-value store (poplar/protocols/key_value.h), and the example to copy
// when writing a user -> user service (docs/services.md, "Writing a service").
//
// It registers its name (its argument, else demo.kv) and serves its clients on the coroutine
// runtime (docs/user-runtime.md) until it is killed: one task, each client a job of its own, so
// clients are served at once and a slow one holds up nobody else. The whole service is the Store
// below: one handle() per request.

#include <poplar/async/service.h>
#include <poplar/print.h>
#include <poplar/protocols/key_value.h>
#include <poplar/start.h>
#include <poplar/start_argument.h>

using base::StringView;
using poplar::protocols::KeyValue;
namespace kv = poplar::protocols::key_value;

namespace {

class Store {
public:
    KeyValue::Response handle(const kv::Get& get) {
        Entry* entry = find(get.key);
        if (!entry) return kv::Missing{};
        return kv::Found{entry->value()};
    }

    KeyValue::Response handle(const kv::Put& put) {
        if (put.key.is_empty()) return refused(kv::Reason::empty_key);
        if (put.key.length() > kv::max_key_bytes) return refused(kv::Reason::key_too_long);
        if (put.value.length() > kv::max_value_bytes) return refused(kv::Reason::value_too_long);
        Entry* entry = find(put.key);
        if (!entry) entry = free_entry();
        if (!entry) return refused(kv::Reason::store_full);
        entry->set(put.key, put.value);
        return kv::Stored{};
    }

    KeyValue::Response handle(const kv::Remove& remove) {
        Entry* entry = find(remove.key);
        if (!entry) return kv::Missing{};
        entry->set({}, {});
        return kv::Removed{};
    }

private:
    struct Entry {
        char key_bytes[kv::max_key_bytes];
        char value_bytes[kv::max_value_bytes];
        u8 key_length = 0;  // 0: free
        u8 value_length = 0;

        StringView key() const { return StringView(key_bytes, key_length); }
        StringView value() const { return StringView(value_bytes, value_length); }
        void set(StringView key, StringView value) {
            __builtin_memcpy(key_bytes, key.data(), key.length());
            __builtin_memcpy(value_bytes, value.data(), value.length());
            key_length = static_cast<u8>(key.length());
            value_length = static_cast<u8>(value.length());
        }
    };
    static_assert(kv::max_key_bytes <= 255 && kv::max_value_bytes <= 255, "lengths fit a u8");

    // The entry holding `key` (no key is empty).
    Entry* find(StringView key) {
        for (Entry& entry : entries_)
            if (entry.key_length != 0 && entry.key() == key) return &entry;
        return nullptr;
    }
    Entry* free_entry() {
        for (Entry& entry : entries_)
            if (entry.key_length == 0) return &entry;
        return nullptr;
    }
    static KeyValue::Response refused(kv::Reason reason) { return kv::Refused{static_cast<u8>(reason)}; }

    Entry entries_[kv::max_entries];
};

Store store;

// Requests are small: a key and a value, and Ptah's few bytes around them.
constexpr usize message_capacity = 512;
using Host = poplar::async::ServiceHost<KeyValue, Store, 32, message_capacity>;

}  // namespace

int main(const poplar::abi::StartInfo& start_info) {
    char argument[poplar::abi::max_service_name_bytes];
    StringView name = poplar::start_argument(start_info, argument, sizeof(argument));
    if (name.is_empty()) name = KeyValue::name;

    auto executor = poplar::async::Executor::create();
    if (executor.is_error()) return 1;
    auto host = Host::create(name, store);
    if (host.is_error()) {
        poplar::println("kv_store: cannot register {}: {}", name, base::error_name(host.error()));
        return 1;
    }
    poplar::println("kv_store: serving {}", name);
    return executor.value().block_on(host.value().serve()).is_ok() ? 0 : 2;
}
