// RAII for the C handles the daemon holds: file descriptors (wire::Fd) and sd-event objects.
#pragma once

#include <memory>

#include <systemd/sd-event.h>

#include "agent/wire/fd.hpp"

namespace jitd::agent {

using wire::Fd;

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
