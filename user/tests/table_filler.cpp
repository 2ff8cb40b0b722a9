// A partner for hardening_test: fills its handle table with a thousand events and exits.

#include <poplar/start.h>
#include <poplar/syscall.h>

int main(const poplar::abi::StartInfo&) {
    for (int i = 0; i < 1000; ++i) (void)poplar::sys::event_create();
    return 0;
}
