#pragma once

// Unit tests that run inside the kernel, on the real target (booted with test=ktest).
//
//   KERNEL_TEST(frame_allocator, reuses_freed_frames) {
//       KEXPECT_EQ(a, b);
//   }

#include <base/types.h>

namespace ktest {

class Context {
public:
    void fail(const char* file, int line, const char* expression);
    bool failed() const { return failed_; }

private:
    bool failed_ = false;
};

struct TestCase {
    const char* suite;
    const char* name;
    void (*run)(Context&);
};

// Runs every registered test and prints one line per test and a summary; true if all passed.
bool run_all();

}  // namespace ktest

#define KERNEL_TEST(suite, name)                                                                                 \
    static void kernel_test_##suite##_##name(ktest::Context&);                                                   \
    [[gnu::used, gnu::section(".kernel_tests")]] static const ktest::TestCase kernel_test_case_##suite##_##name{ \
        #suite, #name, kernel_test_##suite##_##name};                                                            \
    static void kernel_test_##suite##_##name([[maybe_unused]] ktest::Context& context)

#define KEXPECT(condition)                                              \
    do {                                                                \
        if (!(condition)) context.fail(__FILE__, __LINE__, #condition); \
    } while (0)

#define KEXPECT_EQ(a, b) KEXPECT((a) == (b))
