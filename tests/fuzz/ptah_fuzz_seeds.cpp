// Writes the checked-in seed corpus of the Ptah decoder fuzzer (tests/fuzz/corpus/ptah):
//
//   build/tests/fuzz/ptah_fuzz_seeds tests/fuzz/corpus/ptah
//
// One valid message of each kind, so the fuzzer starts from the interesting shapes.

#include <ptah/heap_allocator.h>

#include <fstream>
#include <string>

#include "ptah_fuzz_messages.h"

using namespace ptah_fuzz;
using namespace poplar::protocols;
using namespace poplar::protocols::service_registry;

namespace {

constexpr u32 kEvent = u32(poplar::ObjectType::Event);

template <typename T>
void write_seed(const std::string& directory, const std::string& name, Kind kind, const T& value) {
    u8 buffer[4096];
    ptah::HandleList handles;
    auto size = MUST(ptah::encode(value, base::Bytes(buffer, sizeof(buffer)), handles));
    std::vector<ptah::TransferredHandle> handle_list(handles.view().begin(), handles.view().end());
    auto input = make_input(kind, handle_list, std::vector<u8>(buffer, buffer + size.bytes));
    std::ofstream(directory + "/" + name, std::ios::binary)
        .write(reinterpret_cast<const char*>(input.data()), std::streamsize(input.size()));
}

Everything make_everything() {
    auto& heap = ptah::heap_allocator();
    static const u8 payload[] = {0xde, 0xad, 0xbe, 0xef};
    Everything value;
    value.flag = true;
    value.small = -300;
    value.wide = ptah::u128(1) << 100;
    value.ratio = 0.5;
    value.letter = U'\u00e9';
    value.borrowed = "borrowed \xe2\x82\xac";
    value.owned = MUST(ptah::String::copy(heap, "owned"));
    ptah::Vector<Segment> segments(heap);
    MUST(segments.append({0x400000, 2}));
    value.segments = base::move(segments);
    value.table = ptah::Map<ptah::String, ptah::Vector<u8>>(heap);
    for (const char* key : {"alpha", "beta"}) {
        ptah::Vector<u8> bytes(heap);
        MUST(bytes.append(u8(key[0])));
        MUST(value.table.insert(MUST(ptah::String::copy(heap, key)), base::move(bytes)));
    }
    value.actions = ptah::Map<u32, Action>(heap);
    MUST(value.actions.insert(1, Stop{}));
    MUST(value.actions.insert(2, Rename{MUST(ptah::String::copy(heap, "renamed")), U'/'}));
    MUST(value.actions.insert(3, Segment{0x1000, 1}));
    value.nested = ptah::Vector<ptah::Vector<ptah::Optional<i64>>>(heap);
    ptah::Vector<ptah::Optional<i64>> inner(heap);
    MUST(inner.append(ptah::Optional<i64>(-1)));
    MUST(inner.append(ptah::Optional<i64>()));
    MUST(value.nested.append(base::move(inner)));
    value.fixed[0] = 1, value.fixed[1] = 2;
    value.payload = base::ReadonlyBytes(payload);
    value.channel.value = 7;
    value.extra = ptah::AnyHandle{8, kEvent};
    return value;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUTPUT_DIRECTORY\n", argv[0]);
        return 2;
    }
    std::string directory = argv[1];
    write_seed(directory, "registry_register", Kind::RegistryRequest,
               ServiceRegistry::Request(RegisterService{"hello_world"}));
    write_seed(directory, "registry_subscribe", Kind::RegistryRequest,
               ServiceRegistry::Request(SubscribeService{"usb_hid"}));
    write_seed(directory, "registry_registered", Kind::RegistryResponse,
               ServiceRegistry::Response(ServiceRegistered{{1}}));
    write_seed(directory, "registry_no_such_service", Kind::RegistryResponse,
               ServiceRegistry::Response(NoSuchService{}));
    write_seed(directory, "provider_new_client", Kind::ProviderMessage,
               ServiceProvider::Request(NewClient{"usb_hid", {2}, 1, "client"}));
    write_seed(directory, "echo", Kind::EchoRequest, EchoProtocol::Request(echo::Echo{"ping"}));
    write_seed(directory, "log", Kind::EchoRequest, EchoProtocol::Request(echo::Log{echo::kLogError, "oops"}));
    write_seed(directory, "everything", Kind::Everything, make_everything());
    return 0;
}
