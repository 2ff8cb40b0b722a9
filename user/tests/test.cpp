#include "test.h"

namespace usertest {

namespace {

TestCase* first_test = nullptr;
TestCase* last_test = nullptr;
const char* current_test = "(none)";
bool current_failed = false;

}  // namespace

Registration::Registration(TestCase& test) {
    if (last_test)
        last_test->next = &test;
    else
        first_test = &test;
    last_test = &test;
}

void report_failure(const char* expression, const char* file, int line, base::StringView got,
                    base::StringView expected) {
    current_failed = true;
    if (expected.is_empty())
        poplar::println("FAIL {}: {} at {}:{} (got {})", current_test, expression, file, line, got);
    else
        poplar::println("FAIL {}: {} at {}:{} (got {}, expected {})", current_test, expression, file, line, got,
                        expected);
}

int run_all_tests(base::StringView program_name) {
    usize passed = 0, failed = 0;
    for (TestCase* test = first_test; test; test = test->next) {
        current_test = test->name;
        current_failed = false;
        test->function();
        if (current_failed) {
            ++failed;
        } else {
            ++passed;
            poplar::println("ok {}", test->name);
        }
    }
    poplar::println("{}: {} passed, {} failed", program_name, passed, failed);
    return failed == 0 && passed > 0 ? 0 : 1;
}

}  // namespace usertest
