// The memory primitives the compiler may call in freestanding code (kernel and user space).
// Host builds use the C library's.

#include <base/types.h>

extern "C" {

void* memcpy(void* destination, const void* source, usize count) {
    void* start = destination;
    usize words = count / 8, rest = count % 8;
    asm volatile("rep movsq" : "+D"(destination), "+S"(source), "+c"(words) : : "memory");
    asm volatile("rep movsb" : "+D"(destination), "+S"(source), "+c"(rest) : : "memory");
    return start;
}

void* memmove(void* destination, const void* source, usize count) {
    auto* to = static_cast<u8*>(destination);
    const auto* from = static_cast<const u8*>(source);
    if (to < from || to >= from + count) return memcpy(destination, source, count);
    for (usize i = count; i > 0; --i) to[i - 1] = from[i - 1];
    return destination;
}

void* memset(void* destination, int value, usize count) {
    void* start = destination;
    u64 pattern = u64(u8(value)) * 0x0101010101010101ull;
    usize words = count / 8, rest = count % 8;
    asm volatile("rep stosq" : "+D"(destination), "+c"(words) : "a"(pattern) : "memory");
    asm volatile("rep stosb" : "+D"(destination), "+c"(rest) : "a"(pattern) : "memory");
    return start;
}

int memcmp(const void* a, const void* b, usize count) {
    const auto* left = static_cast<const u8*>(a);
    const auto* right = static_cast<const u8*>(b);
    for (usize i = 0; i < count; ++i)
        if (left[i] != right[i]) return left[i] < right[i] ? -1 : 1;
    return 0;
}

usize strlen(const char* text) {
    usize length = 0;
    while (text[length]) ++length;
    return length;
}
}
