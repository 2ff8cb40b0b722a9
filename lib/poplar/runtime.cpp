// What the C++ compiler and lib/base expect of the user runtime, and the path from _start to main.

#include <base/assert.h>
#include <poplar/print.h>
#include <poplar/runtime.h>
#include <poplar/start.h>
#include <poplar/syscall.h>
#include <new>

extern "C" void (*__init_array_start[])(), (*__init_array_end[])();

namespace {

const poplar::abi::StartInfo* saved_start_info = nullptr;

}  // namespace

const poplar::abi::StartInfo& poplar::start_info() { return *saved_start_info; }

extern "C" [[noreturn]] void poplar_start(const poplar::abi::StartInfo* start_info) {
    saved_start_info = start_info;
    for (auto* constructor = __init_array_start; constructor < __init_array_end; ++constructor) (*constructor)();
    int status = main(*start_info);
    poplar::sys::task_exit(status);
}

// Global destructors never run: a task's memory goes away with it.
extern "C" int __cxa_atexit(void (*)(void*), void*, void*) { return 0; }
extern "C" {
void* __dso_handle = nullptr;
}

extern "C" [[noreturn]] void __cxa_pure_virtual() {
    poplar::write_log("pure virtual function called\n");
    poplar::sys::task_exit(-2);
}

namespace std {
const nothrow_t nothrow{};
}

void base_assertion_failed(const char* expression, const char* file, int line, const char* function) {
    poplar::print("ASSERTION FAILED: {} at {}:{} in {}\n", expression, file, line, function);
    poplar::sys::task_exit(-2);
}
