#pragma once

// ASSERT checks kernel and library invariants, never user-controlled input. Each environment
// (kernel, user runtime, host) provides `base_assertion_failed`, which does not return.

[[noreturn]] void base_assertion_failed(const char* expression, const char* file, int line, const char* function);

#define ASSERT(expr)                                                               \
    do {                                                                           \
        if (!(expr)) [[unlikely]]                                                  \
            base_assertion_failed(#expr, __FILE__, __LINE__, __PRETTY_FUNCTION__); \
    } while (0)

#define VERIFY_NOT_REACHED() base_assertion_failed("not reached", __FILE__, __LINE__, __PRETTY_FUNCTION__)
