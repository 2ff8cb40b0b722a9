// Compiled for the kernel and user environments only to prove that the templates, the protocol helpers
// and the shared protocol definitions build freestanding (no exceptions, RTTI or hosted library).
// Nothing links it.

#include <poplar/protocols/echo.h>
#include <poplar/protocols/service_registry.h>
#include <ptah/protocol.h>

namespace {

using namespace poplar::protocols;

struct NullChannel {
    base::ErrorOr<void> send(base::ReadonlyBytes, base::Span<const ptah::TransferredHandle>) { return {}; }
    base::ErrorOr<ptah::MessageSize> receive(base::Bytes, base::Span<ptah::TransferredHandle>) {
        return base::Error::ShouldWait;
    }
};

struct Registry {
    ServiceRegistry::Response handle(const service_registry::RegisterService&) {
        return service_registry::AlreadyRegistered{};
    }
    ServiceRegistry::Response handle(const service_registry::SubscribeService&) {
        return service_registry::NoSuchService{};
    }
};

struct Owning {
    ptah::String name;
    ptah::Vector<ptah::Pair<u64, u32>> segments;
    ptah::Map<u32, ptah::Optional<char32_t>> table;
    ptah::u128 wide;
    double ratio;
    bool flag;
    u8 key[4];
    PTAH_FIELDS(name, segments, table, wide, ratio, flag, key)
};

}  // namespace

base::ErrorOr<void> ptah_freestanding_check(ptah::Allocator& allocator) {
    NullChannel channel;
    ptah::Client<ServiceRegistry, NullChannel, 256> client(channel);
    TRY(client.call(service_registry::RegisterService{"check"}));
    Registry registry;
    ptah::Server<ServiceRegistry, Registry, 256> server(registry);
    TRY(server.serve_one(channel));
    u8 buffer[128];
    ptah::HandleList handles;
    Owning owning;
    TRY(ptah::to_system_result(ptah::encode(owning, base::Bytes(buffer, sizeof(buffer)), handles)));
    TRY(ptah::to_system_result(ptah::decode<Owning>({buffer, 0}, {}, {.allocator = &allocator})));
    return {};
}
