// RAII for the C handles the daemon holds: file descriptors and sd-event objects.
#pragma once

#include <unistd.h>

#include <memory>
#include <utility>

#include <systemd/sd-event.h>

namespace jitd::agent {

class Fd {
  public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    Fd& operator=(Fd&& o) noexcept {
        if (this != &o) {
            reset();
            fd_ = std::exchange(o.fd_, -1);
        }
        return *this;
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }

    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    int release() { return std::exchange(fd_, -1); }
    void reset() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

  private:
    int fd_ = -1;
};

struct EventUnref {
    void operator()(sd_event* e) const { sd_event_unref(e); }
};
using EventPtr = std::unique_ptr<sd_event, EventUnref>;

// Disabling before the unref matters: a source that is still referenced elsewhere (sd-event
// holds one while dispatching) must not fire again.
struct SourceUnref {
    void operator()(sd_event_source* s) const { sd_event_source_disable_unref(s); }
};
using SourcePtr = std::unique_ptr<sd_event_source, SourceUnref>;

}  // namespace jitd::agent
