#pragma once

namespace test {

// Prints the executor's cost per spawn and per wake; false if the runtime misbehaved.
bool executor_benchmark();

// Prints the cost of a kernel service look-up and of a call through it (service_benchmark.cpp).
bool service_benchmark();

}  // namespace test
