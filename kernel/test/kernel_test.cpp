#include <debug/log.h>
#include <test/kernel_test.h>

extern "C" const ktest::TestCase __kernel_tests_start[], __kernel_tests_end[];

namespace ktest {

void Context::fail(const char* file, int line, const char* expression) {
    failed_ = true;
    log::error("ktest:   expectation failed: {} at {}:{}", expression, file, line);
}

bool run_all() {
    usize passed = 0, failed = 0;
    for (const TestCase* test = __kernel_tests_start; test < __kernel_tests_end; ++test) {
        Context context;
        test->run(context);
        if (context.failed()) {
            ++failed;
            log::error("ktest: {}.{} FAILED", test->suite, test->name);
        } else {
            ++passed;
            log::info("ktest: {}.{} ok", test->suite, test->name);
        }
    }
    log::info("ktest: {} tests, {} passed, {} failed", passed + failed, passed, failed);
    return failed == 0 && passed > 0;
}

}  // namespace ktest
