// Where jitd listens unless told otherwise (--socket; the client also reads JITD_SOCKET).
#pragma once

namespace jitd::wire {

inline constexpr const char* kDefaultSocketPath = "/run/jitd/jitd.sock";

}  // namespace jitd::wire
