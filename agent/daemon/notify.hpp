// Service manager notifications (sd_notify); each is a no-op outside systemd.
#pragma once

#include <string>

namespace jitd::agent {

void notify_ready(const std::string& status);
void notify_reloading();
void notify_stopping();

}  // namespace jitd::agent
