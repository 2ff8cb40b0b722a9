// The partner of the benchmark's yield ping-pong: it gives the CPU away as soon as it has it.

#include <poplar/start.h>
#include <poplar/syscall.h>

int main(const poplar::abi::StartInfo&) {
    for (;;) (void)poplar::sys::yield();
}
