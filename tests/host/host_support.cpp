// The host environment's side of lib/base: an assertion failure aborts the test binary.

#include <base/assert.h>
#include <cstdio>
#include <cstdlib>

void base_assertion_failed(const char* expression, const char* file, int line, const char* function) {
    std::fprintf(stderr, "ASSERTION FAILED: %s at %s:%d in %s\n", expression, file, line, function);
    std::abort();
}
