// What the C++ compiler expects of a freestanding runtime.

#include <base/types.h>
#include <main.h>
#include <new>

extern "C" void (*__init_array_start[])(), (*__init_array_end[])();

// The kernel never exits, so destructors of global objects are never registered to run.
extern "C" int __cxa_atexit(void (*)(void*), void*, void*) { return 0; }
extern "C" void* __dso_handle = nullptr;
extern "C" void __cxa_pure_virtual() { panic_pure_virtual_call(); }

namespace std {
const nothrow_t nothrow{};
}

void run_global_constructors() {
    for (auto* constructor = __init_array_start; constructor < __init_array_end; ++constructor) (*constructor)();
}
