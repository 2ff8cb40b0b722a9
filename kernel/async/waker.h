#pragma once

#include <base/ref_counted.h>

namespace async {

class Job;

// Makes a suspended job ready again. Safe from interrupt handlers.
class Waker {
public:
    Waker() = default;
    explicit Waker(Job* job);
    Waker(const Waker& other);
    Waker& operator=(const Waker& other);
    ~Waker();

    void wake() const;
    explicit operator bool() const { return job_ != nullptr; }

private:
    Job* job_ = nullptr;  // counted reference
};

}  // namespace async
