#pragma once

// service_subscribe's attempt and wait (syscall/service.cpp), shared with the ring's
// service_subscribe operation (object/ring.cpp).

#include <async/task.h>
#include <base/result.h>
#include <base/string_view.h>
#include <poplar/abi/service_name.h>

class Task;

struct ServiceName {
    char bytes[poplar::abi::max_service_name_bytes];
    u64 length;
    base::StringView view() const { return base::StringView(bytes, length); }
};

// The name at (address, length) in the current address space, checked at full width:
// InvalidArgument for a length out of 1..max_service_name_bytes or a name that breaks the rule,
// BadAddress for memory that cannot be read.
base::ErrorOr<ServiceName> read_service_name(u64 address, u64 length);

// Subscribes `subscriber` to `name` without waiting: the handle of its new end (in its table),
// NotFound while no provider has the name, or the registry's error.
base::ErrorOr<u32> service_try_subscribe(Task& subscriber, base::StringView name);

// The same, waiting as a job until the name is registered: TimedOut at the deadline, Cancelled.
async::Task<base::ErrorOr<u32>> service_subscribe_job(base::RefPtr<Task> subscriber, ServiceName name, u64 deadline);
