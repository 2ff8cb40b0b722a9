// The name a boot module goes by, from what QEMU's -initrd and GRUB's `module` hand the kernel.

#include <boot/module_name.h>
#include <gtest/gtest.h>

namespace {

std::string name_of(const char* string) {
    base::StringView name = boot::module_name_from_string(string);
    return std::string(name.data(), name.length());
}

TEST(BootModuleName, QemuInitrdPathGivesTheFileName) { EXPECT_EQ(name_of("/work/build/user/init"), "init"); }

TEST(BootModuleName, GrubModuleStringIsTheNameItself) { EXPECT_EQ(name_of("init"), "init"); }

TEST(BootModuleName, WordsAfterTheFirstAreNotPartOfTheName) {
    EXPECT_EQ(name_of("/boot/modules/hello hello"), "hello");
    EXPECT_EQ(name_of("/work/build/user/hello some/argument/path"), "hello");
    EXPECT_EQ(name_of("kv_store --flag"), "kv_store");
}

TEST(BootModuleName, RelativePathGivesTheFileName) { EXPECT_EQ(name_of("build/user/faulty"), "faulty"); }

TEST(BootModuleName, EmptyStringOrTrailingSlashGivesAnEmptyName) {
    EXPECT_EQ(name_of(""), "");
    EXPECT_EQ(name_of("/boot/modules/"), "");
    EXPECT_EQ(name_of(" init"), "");
}

}  // namespace
