// `jit-request audit`: jitd's journal entries in a time window, as a table, CSV or JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "agent/client/context.hpp"

namespace jitd::client {

enum class AuditFormat { table, csv, json };

struct AuditOptions {
    std::string since = "7d";
    std::optional<std::string> until;  // none: now
    std::optional<std::string> user;
    std::optional<std::uint16_t> port;
    AuditFormat format = AuditFormat::table;
    bool include_untrusted = false;  // show entries that claim to be jitd's but are not, marked
};

int run_audit(const AuditOptions& opt, Io& io);

}  // namespace jitd::client
