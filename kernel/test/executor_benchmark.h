#pragma once

namespace test {

// Prints the executor's cost per spawn and per wake; false if the runtime misbehaved.
bool executor_benchmark();

}  // namespace test
