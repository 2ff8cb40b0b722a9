#pragma once

#include <base/types.h>

namespace test {

// Sorts `count` cycle samples and prints their median and 99th percentile as a `bench` line.
void report_cycles(const char* name, u64* cycles, usize count);

// Prints the executor's cost per spawn and per wake; false if the runtime misbehaved.
bool executor_benchmark();

// Prints the cost of a kernel service look-up and of a call through it (service_benchmark.cpp).
bool service_benchmark();

}  // namespace test
