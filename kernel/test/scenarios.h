#pragma once

#include <base/string_view.h>

namespace test {

// Runs the boot-time scenario named on the command line (test=NAME) and ends the run with its
// status. Returns only if `name` names no scenario.
void run_scenario(base::StringView name);

}  // namespace test
