// A CPU-bound task for the scheduling tests: it spins until killed.

#include <poplar/start.h>

int main(const poplar::abi::StartInfo&) {
    volatile u64 counter = 0;
    for (;;) counter = counter + 1;
}
