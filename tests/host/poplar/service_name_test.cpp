// The one rule for service names (poplar/abi/service_name.h), as the ABI and the protocol see it.

#include <gtest/gtest.h>
#include <poplar/abi/service_name.h>
#include <poplar/protocols/service_registry.h>

#include <string>

namespace {

using poplar::abi::is_valid_service_name;
using poplar::abi::max_service_name_bytes;

bool valid(const std::string& name) { return is_valid_service_name(base::StringView(name.data(), name.size())); }

TEST(ServiceName, AcceptsDottedLowercaseSegments) {
    EXPECT_TRUE(valid("kernel.log"));
    EXPECT_TRUE(valid("demo.kv"));
    EXPECT_TRUE(valid("a"));
    EXPECT_TRUE(valid("usb_hid"));
    EXPECT_TRUE(valid("x-1.y_2.z3"));
}

TEST(ServiceName, RefusesEmptyAndOverlong) {
    EXPECT_FALSE(valid(""));
    EXPECT_TRUE(valid(std::string(max_service_name_bytes, 'a')));
    EXPECT_FALSE(valid(std::string(max_service_name_bytes + 1, 'a')));
}

TEST(ServiceName, RefusesMisplacedDots) {
    EXPECT_FALSE(valid("."));
    EXPECT_FALSE(valid(".log"));
    EXPECT_FALSE(valid("log."));
    EXPECT_FALSE(valid("kernel..log"));
}

TEST(ServiceName, RefusesOtherCharacters) {
    EXPECT_FALSE(valid("Kernel.log"));
    EXPECT_FALSE(valid("kernel log"));
    EXPECT_FALSE(valid("kernel/log"));
    EXPECT_FALSE(valid(std::string("a\0b", 3)));
    EXPECT_FALSE(valid("caf\xc3\xa9"));
}

TEST(ServiceName, ProtocolUsesTheSameRule) {
    namespace registry = poplar::protocols::service_registry;
    EXPECT_EQ(registry::kMaxNameLength, max_service_name_bytes);
    EXPECT_TRUE(registry::is_valid_name("demo.kv"));
    EXPECT_FALSE(registry::is_valid_name("demo..kv"));
    EXPECT_FALSE(registry::is_valid_name(""));
}

TEST(ServiceName, KernelNamesAreTheKernelsOwn) {
    using poplar::abi::is_kernel_service_name;
    EXPECT_TRUE(is_kernel_service_name("kernel"));
    EXPECT_TRUE(is_kernel_service_name("kernel.log"));
    EXPECT_FALSE(is_kernel_service_name("kernelx"));
    EXPECT_FALSE(is_kernel_service_name("kernel_log"));
    EXPECT_FALSE(is_kernel_service_name("demo.kernel"));
}

TEST(ServiceName, ScopesHoldThemselvesAndWhatIsBelow) {
    using poplar::abi::is_within_service_scope;
    EXPECT_TRUE(is_within_service_scope("demo", "demo"));
    EXPECT_TRUE(is_within_service_scope("demo", "demo.kv"));
    EXPECT_TRUE(is_within_service_scope("demo.kv", "demo.kv.x"));
    EXPECT_FALSE(is_within_service_scope("demo", "demos"));
    EXPECT_FALSE(is_within_service_scope("demo.kv", "demo"));
    EXPECT_FALSE(is_within_service_scope("demo", "other.demo"));
}

static_assert(is_valid_service_name("kernel.log"));
static_assert(!is_valid_service_name("kernel."));

}  // namespace
