// Client and Server over an in-memory channel: the echo protocol and the service registry.

#include <poplar/protocols/echo.h>
#include <poplar/protocols/service_registry.h>
#include <ptah/protocol.h>

#include <map>
#include <string>

#include "memory_channel.h"
#include "test_support.h"

using namespace ptah_test;
using namespace poplar::protocols;
using namespace poplar::protocols::service_registry;

namespace {

std::string to_string(base::StringView text) { return {text.data(), text.length()}; }

struct EchoHandler {
    std::vector<std::pair<u8, std::string>> lines;

    EchoProtocol::Response handle(const echo::Echo& request) { return echo::Echoed{request.text}; }
    base::ErrorOr<EchoProtocol::Response> handle(const echo::Log& request) {
        if (request.message.is_empty()) return base::Error::InvalidArgument;
        lines.emplace_back(request.level, to_string(request.message));
        return echo::Logged{};
    }
};

// Wires a client end to a server that answers each request just before the client receives.
struct EchoFixture {
    std::pair<MemoryChannel, MemoryChannel> ends = MemoryChannel::create_pair();
    MemoryChannel& client_end = ends.first;
    MemoryChannel& server_end = ends.second;
    EchoHandler handler;
    ptah::Server<EchoProtocol, EchoHandler> server{handler};
    base::ErrorOr<void> last_serve;

    EchoFixture() {
        client_end.before_receive = [this] { last_serve = server.serve_one(server_end); };
    }
};

}  // namespace

TEST(Protocol, EchoCallReturnsTheText) {
    EchoFixture fixture;
    ptah::Client<EchoProtocol, MemoryChannel> client(fixture.client_end);
    auto reply = client.call(echo::Echo{"hello"});
    ASSERT_TRUE(reply.is_ok());
    ASSERT_TRUE(reply->is<echo::Echoed>());
    EXPECT_TRUE(reply->get<echo::Echoed>().text == "hello");
}

TEST(Protocol, LogReachesTheHandler) {
    EchoFixture fixture;
    ptah::Client<EchoProtocol, MemoryChannel> client(fixture.client_end);
    auto reply = client.call(echo::Log{echo::kLogWarning, "disk almost full"});
    ASSERT_TRUE(reply.is_ok());
    EXPECT_TRUE(reply->is<echo::Logged>());
    ASSERT_EQ(fixture.handler.lines.size(), 1u);
    EXPECT_EQ(fixture.handler.lines[0].first, echo::kLogWarning);
    EXPECT_EQ(fixture.handler.lines[0].second, "disk almost full");
}

TEST(Protocol, HandlerErrorReachesTheServerLoopAndSendsNoReply) {
    EchoFixture fixture;
    ptah::Client<EchoProtocol, MemoryChannel> client(fixture.client_end);
    auto reply = client.call(echo::Log{echo::kLogInfo, ""});
    ASSERT_TRUE(reply.is_error());
    EXPECT_EQ(reply.error(), base::Error::ShouldWait);  // nothing came back
    ASSERT_TRUE(fixture.last_serve.is_error());
    EXPECT_EQ(fixture.last_serve.error(), base::Error::InvalidArgument);
}

TEST(Protocol, MalformedRequestIsRejectedWithItsHandlesKept) {
    EchoFixture fixture;
    constexpr ptah::TransferredHandle stray{9, 4};
    fixture.server_end.inject({0x07, 0x00, 0x00, 0x00}, {stray});
    auto served = fixture.server.serve_one(fixture.server_end);
    ASSERT_TRUE(served.is_error());
    EXPECT_EQ(served.error(), base::Error::MalformedMessage);
    EXPECT_EQ(fixture.client_end.pending(), 0u);
    ASSERT_EQ(fixture.server.last_request().handles().size(), 1u);
    EXPECT_EQ(fixture.server.last_request().handles()[0], stray);
}

TEST(Protocol, ReplyWithAHandleOfTheWrongTypeIsMalformed) {
    auto ends = MemoryChannel::create_pair();
    MemoryChannel& client_end = ends.first;
    client_end.before_receive = [&] {
        client_end.inject({0x01, 0x00, 0x00, 0x00, 0xf0}, {{5, u32(poplar::ObjectType::Event)}});
    };
    ptah::Client<ServiceRegistry, MemoryChannel> client(client_end);
    auto reply = client.call(SubscribeService{"log"});
    ASSERT_TRUE(reply.is_error());
    EXPECT_EQ(reply.error(), base::Error::MalformedMessage);
}

namespace {

constexpr u32 kChannelType = u32(poplar::ObjectType::Channel);

// A registry in the shape the real one will have: names to provider channels.
class TestRegistry {
    using HandleValue = ptah::HandleValue;

public:
    ServiceRegistry::Response handle(const RegisterService& request) {
        if (!is_valid_name(request.name)) return InvalidName{};
        std::string name = to_string(request.name);
        if (services_.count(name)) return AlreadyRegistered{};
        auto [registry_end, provider_end] = MemoryChannel::create_pair();
        HandleValue handle = next_handle_++;
        services_.emplace(name, std::move(registry_end));
        provider_ends.emplace(handle, std::move(provider_end));
        return ServiceRegistered{{handle}};
    }

    ServiceRegistry::Response handle(const SubscribeService& request) {
        auto service = services_.find(to_string(request.name));
        if (service == services_.end()) return NoSuchService{};
        HandleValue subscriber_end = next_handle_++;
        HandleValue provider_end = next_handle_++;
        ptah::Client<ServiceProvider, MemoryChannel> provider(service->second);
        if (provider.send(NewClient{request.name, {provider_end}, 1, "client"}).is_error()) return NoSuchService{};
        return SubscribedToService{{subscriber_end}};
    }

    std::map<HandleValue, MemoryChannel> provider_ends;

private:
    std::map<std::string, MemoryChannel> services_;
    HandleValue next_handle_ = 100;
};

struct Provider {
    std::vector<std::pair<std::string, ptah::HandleValue>> clients;
    void handle(const NewClient& message) { clients.emplace_back(to_string(message.name), message.channel.value); }
};

// A client whose calls the registry answers synchronously.
struct RegistryFixture {
    std::pair<MemoryChannel, MemoryChannel> ends = MemoryChannel::create_pair();
    TestRegistry registry;
    ptah::Server<ServiceRegistry, TestRegistry> server{registry};
    ptah::Client<ServiceRegistry, MemoryChannel> client{ends.first};

    RegistryFixture() {
        ends.first.before_receive = [this] { ASSERT_TRUE(server.serve_one(ends.second).is_ok()); };
    }
};

}  // namespace

TEST(ServiceRegistryProtocol, RegisterSubscribeAndTheProviderHearsOfTheClient) {
    RegistryFixture fixture;
    auto& client = fixture.client;
    auto& registry = fixture.registry;

    auto registered = client.call(RegisterService{"usb_hid"});
    ASSERT_TRUE(registered.is_ok());
    ASSERT_TRUE(registered->is<ServiceRegistered>());
    ptah::HandleValue new_clients = registered->get<ServiceRegistered>().new_clients.value;

    auto subscribed = client.call(SubscribeService{"usb_hid"});
    ASSERT_TRUE(subscribed.is_ok());
    ASSERT_TRUE(subscribed->is<SubscribedToService>());

    Provider provider;
    ptah::Server<ServiceProvider, Provider> provider_server(provider);
    MemoryChannel& provider_end = registry.provider_ends.at(new_clients);
    ASSERT_TRUE(provider_server.serve_one(provider_end).is_ok());
    ASSERT_EQ(provider.clients.size(), 1u);
    EXPECT_EQ(provider.clients[0].first, "usb_hid");
    EXPECT_EQ(provider_server.last_request().handles()[0].object_type, kChannelType);
}

TEST(ServiceRegistryProtocol, EveryFailureIsAnAnswer) {
    RegistryFixture fixture;
    auto& client = fixture.client;

    EXPECT_TRUE(client.call(SubscribeService{"missing"})->is<NoSuchService>());
    EXPECT_TRUE(client.call(RegisterService{""})->is<InvalidName>());
    std::string too_long(kMaxNameLength + 1, 'x');
    EXPECT_TRUE(client.call(RegisterService{view(too_long)})->is<InvalidName>());
    EXPECT_TRUE(client.call(RegisterService{"log"})->is<ServiceRegistered>());
    EXPECT_TRUE(client.call(RegisterService{"log"})->is<AlreadyRegistered>());
}

TEST(ServiceRegistryProtocol, DispatchWorksWithoutAChannel) {
    TestRegistry registry;
    ServiceRegistry::Request request = SubscribeService{"nothing"};
    auto reply = ptah::dispatch<ServiceRegistry>(request, registry);
    ASSERT_TRUE(reply.is_ok());
    EXPECT_TRUE(reply->is<NoSuchService>());
}
