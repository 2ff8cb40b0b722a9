// Encoding and decoding typical service messages: bytes/s and messages/s.
//
//   ninja -C build ptah_benchmark && build/benchmarks/host/ptah_benchmark

#include <benchmark/benchmark.h>
#include <poplar/protocols/echo.h>
#include <poplar/protocols/service_registry.h>
#include <ptah/heap_allocator.h>
#include <ptah/ptah.h>

using namespace poplar::protocols;
using namespace poplar::protocols::service_registry;

namespace {

// A larger message with owned, allocated fields, like Poplar's boot-task description.
struct BootTask {
    ptah::String name;
    usize entry_point = 0;
    ptah::Vector<ptah::Pair<usize, u32>> segments;
    ptah::Map<ptah::String, ptah::String> environment;
    PTAH_FIELDS(name, entry_point, segments, environment)
};

BootTask make_boot_task() {
    auto& heap = ptah::heap_allocator();
    BootTask task{MUST(ptah::String::copy(heap, "platform_bus")), 0x401000, ptah::Vector<ptah::Pair<usize, u32>>(heap),
                  ptah::Map<ptah::String, ptah::String>(heap)};
    for (u32 i = 0; i < 8; ++i) MUST(task.segments.append({0x400000 + i * 0x10000, 4 + i}));
    for (const char* key : {"log_level", "root", "service_host", "console"})
        MUST(task.environment.insert(MUST(ptah::String::copy(heap, key)), MUST(ptah::String::copy(heap, "value"))));
    return task;
}

ServiceRegistry::Request register_service() { return RegisterService{"platform_bus.bus_driver"}; }
ServiceProvider::Request new_client() { return NewClient{"usb_hid", {7}, 1, "client"}; }
EchoProtocol::Request log_line() {
    return echo::Log{echo::kLogInfo, "usb: xhci controller reset complete, 4 ports, 2 devices attached"};
}

void report(benchmark::State& state, usize message_bytes) {
    state.SetItemsProcessed(i64(state.iterations()));
    state.SetBytesProcessed(i64(state.iterations() * message_bytes));
}

template <typename T>
void encode_benchmark(benchmark::State& state, const T& message) {
    u8 buffer[4096];
    ptah::HandleList handles;
    usize size = 0;
    for (auto _ : state) {
        size = MUST(ptah::encode(message, base::Bytes(buffer, sizeof(buffer)), handles)).bytes;
        benchmark::DoNotOptimize(buffer);
    }
    report(state, size);
}

template <typename T>
void decode_benchmark(benchmark::State& state, const T& message) {
    u8 buffer[4096];
    ptah::HandleList handles;
    usize size = MUST(ptah::encode(message, base::Bytes(buffer, sizeof(buffer)), handles)).bytes;
    ptah::DecodeOptions options{.allocator = &ptah::heap_allocator()};
    for (auto _ : state) {
        auto decoded = ptah::decode<T>({buffer, size}, handles.view(), options);
        benchmark::DoNotOptimize(decoded);
    }
    report(state, size);
}

void BM_EncodeRegisterService(benchmark::State& state) { encode_benchmark(state, register_service()); }
void BM_DecodeRegisterService(benchmark::State& state) { decode_benchmark(state, register_service()); }
void BM_EncodeNewClient(benchmark::State& state) { encode_benchmark(state, new_client()); }
void BM_DecodeNewClient(benchmark::State& state) { decode_benchmark(state, new_client()); }
void BM_EncodeLogLine(benchmark::State& state) { encode_benchmark(state, log_line()); }
void BM_DecodeLogLine(benchmark::State& state) { decode_benchmark(state, log_line()); }
void BM_EncodeBootTask(benchmark::State& state) { encode_benchmark(state, make_boot_task()); }
void BM_DecodeBootTask(benchmark::State& state) { decode_benchmark(state, make_boot_task()); }

void BM_EncodedSizeBootTask(benchmark::State& state) {
    BootTask task = make_boot_task();
    usize size = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(&task);
        size = MUST(ptah::encoded_size(task)).bytes;
        benchmark::DoNotOptimize(size);
    }
    report(state, size);
}

}  // namespace

BENCHMARK(BM_EncodeRegisterService);
BENCHMARK(BM_DecodeRegisterService);
BENCHMARK(BM_EncodeNewClient);
BENCHMARK(BM_DecodeNewClient);
BENCHMARK(BM_EncodeLogLine);
BENCHMARK(BM_DecodeLogLine);
BENCHMARK(BM_EncodeBootTask);
BENCHMARK(BM_DecodeBootTask);
BENCHMARK(BM_EncodedSizeBootTask);
