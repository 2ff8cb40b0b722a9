// Writes to its own code, which is mapped read-only: the task must die with a page fault (-1014).

#include <poplar/print.h>
#include <poplar/start.h>

namespace {
[[gnu::noinline]] void some_code() { asm volatile(""); }
}  // namespace

int main(const poplar::abi::StartInfo&) {
    auto* text = reinterpret_cast<volatile u8*>(&some_code);
    poplar::println("fault_text_write: writing to {}", reinterpret_cast<const volatile void*>(text) == nullptr
                                                           ? nullptr
                                                           : reinterpret_cast<const void*>(&some_code));
    *text = 0xcc;
    return 99;
}
