#pragma once

namespace poplar::async {

// What a suspended job waits for (a ring operation, a local wait, a group of child jobs).
// cancel() is called once when the job is cancelled while it waits: it either ends the wait now
// (wakes the job) or makes sure it ends soon (a ring operation: the kernel is asked to cancel it,
// and the job resumes once its completion has come back).
class Suspension {
public:
    virtual void cancel() = 0;

protected:
    ~Suspension() = default;
};

}  // namespace poplar::async
