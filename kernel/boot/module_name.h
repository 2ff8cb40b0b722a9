#pragma once

// The name a boot module goes by (what run=, init= and task_spawn look up), from the string its
// boot loader gave it. Loaders disagree on that string: QEMU's -initrd passes the file's path
// ("/home/me/build/user/init"), GRUB's `module /boot/modules/init init` passes what follows the
// path ("init"). The name is the last path component of the string's first word, which both give.
// Portable and host-tested (tests/host/boot_module_name_test.cpp).

#include <base/string_view.h>

namespace boot {

constexpr base::StringView module_name_from_string(base::StringView string) {
    base::StringView first_word = string.substring(0, string.find(' '));
    usize start = 0;
    for (usize i = 0; i < first_word.length(); ++i)
        if (first_word[i] == '/') start = i + 1;
    return first_word.substring(start);
}

}  // namespace boot
