#pragma once

// A small test framework for user programs. Each test is registered with USER_TEST and run in
// order by run_all_tests; it prints "ok NAME" or one "FAIL NAME: EXPRESSION at FILE:LINE (got X)"
// line per failed check, and run_all_tests ends with "PROGRAM: N passed, M failed".
//
//   USER_TEST(event_signal_is_visible) {
//       auto event = ASSERT_OK(poplar::Event::create());   // ends the test on failure
//       EXPECT_OK(event.signal());
//       EXPECT_EQ(event.is_signaled().value_or(false), true);
//   }

#include <base/error.h>
#include <base/string_view.h>
#include <poplar/print.h>
#include <type_traits>

namespace usertest {

struct TestCase {
    const char* name;
    void (*function)();
    TestCase* next;
};

struct Registration {
    explicit Registration(TestCase& test);
};

// Runs every registered test; returns the program's exit status: 0 only if at least one test
// ran and none failed.
int run_all_tests(base::StringView program_name);

// Marks the current test failed and prints why.
void report_failure(const char* expression, const char* file, int line, base::StringView got,
                    base::StringView expected = {});

// Values as failure messages show them: errors by name, everything else through base::format.
template <typename T>
auto shown(const T& value) {
    if constexpr (std::is_same_v<T, base::Error>)
        return base::StringView(base::error_name(value));
    else if constexpr (std::is_enum_v<T>)
        return static_cast<u64>(value);
    else
        return value;
}

template <typename T>
base::StringView format_value(char* buffer, usize capacity, const T& value) {
    return base::format_to(buffer, capacity, "{}", shown(value));
}

template <typename A, typename B>
void check_equal(const A& actual, const B& expected, const char* expression, const char* file, int line) {
    if (actual == expected) return;
    char got[64], wanted[64];
    report_failure(expression, file, line, format_value(got, sizeof(got), actual),
                   format_value(wanted, sizeof(wanted), expected));
}

// True if `result` is ok; otherwise reports.
template <typename R>
bool check_ok(const R& result, const char* expression, const char* file, int line) {
    if (result.is_ok()) return true;
    report_failure(expression, file, line, base::error_name(result.error()));
    return false;
}

template <typename R>
bool check_error(const R& result, base::Error expected, const char* expression, const char* file, int line) {
    if (result.is_error() && result.error() == expected) return true;
    report_failure(expression, file, line, result.is_ok() ? "ok" : base::error_name(result.error()),
                   base::error_name(expected));
    return false;
}

// For the few cases docs/syscalls.md leaves open between two errors.
template <typename R>
bool check_either_error(const R& result, base::Error first, base::Error second, const char* expression,
                        const char* file, int line) {
    if (result.is_error() && (result.error() == first || result.error() == second)) return true;
    report_failure(expression, file, line, result.is_ok() ? "ok" : base::error_name(result.error()),
                   base::error_name(first));
    return false;
}

}  // namespace usertest

#define USER_TEST(name)                                                                   \
    static void user_test_##name();                                                       \
    static ::usertest::TestCase user_test_case_##name{#name, user_test_##name, nullptr};  \
    static ::usertest::Registration user_test_registration_##name(user_test_case_##name); \
    static void user_test_##name()

#define EXPECT(condition)                                                                      \
    do {                                                                                       \
        if (!(condition)) ::usertest::report_failure(#condition, __FILE__, __LINE__, "false"); \
    } while (0)

#define EXPECT_EQ(actual, expected) \
    ::usertest::check_equal((actual), (expected), #actual " == " #expected, __FILE__, __LINE__)

#define EXPECT_OK(expression) (void)::usertest::check_ok((expression), #expression, __FILE__, __LINE__)

#define EXPECT_ERROR(expression, error) \
    (void)::usertest::check_error((expression), (error), #expression, __FILE__, __LINE__)

#define EXPECT_EITHER_ERROR(expression, first, second) \
    (void)::usertest::check_either_error((expression), (first), (second), #expression, __FILE__, __LINE__)

// Like EXPECT, but ends the test on failure.
#define ASSERT_TRUE(condition)                                                   \
    do {                                                                         \
        if (!(condition)) {                                                      \
            ::usertest::report_failure(#condition, __FILE__, __LINE__, "false"); \
            return;                                                              \
        }                                                                        \
    } while (0)

// Yields the value of a Result, or reports and ends the test.
#define ASSERT_OK(expression)                                                               \
    ({                                                                                      \
        auto _assert_result = (expression);                                                 \
        if (!::usertest::check_ok(_assert_result, #expression, __FILE__, __LINE__)) return; \
        _assert_result.release_value();                                                     \
    })
