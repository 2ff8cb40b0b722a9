#pragma once

// How a kernel service opens a user's session (KernelService::open_session): a fresh channel
// whose kernel end the job `make_job(end)` serves, on the client's own work queue, so that what
// the kernel does for the client is charged to it and ends with it. The client's end is returned.
//
//   return open_session_on_client_queue(client, [&](base::RefPtr<Channel> end) {
//       return serve_session(base::RefPtr<TimeService>(this), base::move(end));
//   });

#include <object/channel.h>
#include <object/task.h>
#include <sched/work_queue.h>

namespace services {

template <typename MakeJob>
base::ErrorOr<base::RefPtr<Channel>> open_session_on_client_queue(Task& client, MakeJob make_job) {
    sched::WorkQueue* queue = TRY(client.work_queue());
    auto pair = TRY(Channel::create_pair());
    TRY(queue->spawn(make_job(base::move(pair.second))));
    return base::move(pair.first);
}

}  // namespace services
