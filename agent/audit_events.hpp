// Journal event kinds and their fixed MESSAGE_IDs (explained in systemd/jitd.catalog).
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace jitd::agent {

enum class AuditKind {
    grant,
    deny,
    revoke,
    extend,
    supersede,
    expire,
    reload,
    start,
    stop,
    lockdown,
    restore,
    dropped,  // a summary of remote datagrams dropped before any decision (never one by one)
    request,
    approve,
    reject,
    lapse,
    cancel,
    notify  // an approval.notify hook that failed (never one that went well)
};

struct AuditKindInfo {
    AuditKind kind;
    std::string_view name;        // JITD_EVENT value
    std::string_view message_id;  // MESSAGE_ID (128-bit, lower-case hex)
};

inline constexpr std::array<AuditKindInfo, 18> kAuditKinds{{
    {AuditKind::grant, "grant", "78b033ff7bf5492da6d0f34645348d58"},
    {AuditKind::deny, "deny", "a73856e2f2b74e0087994a50b0c09fd8"},
    {AuditKind::revoke, "revoke", "4956754f50d54a0f88b7fec125ecfe57"},
    {AuditKind::extend, "extend", "431808dd0da64e9fa602d6f66c34f999"},
    {AuditKind::supersede, "supersede", "ea88e027a2cb4c949dda06c207d50503"},
    {AuditKind::expire, "expire", "c4cdae2b984140459c5130ab4b8a77ff"},
    {AuditKind::reload, "reload", "75e218a265f64d87abed7b75c73bf14e"},
    {AuditKind::start, "start", "0fc0193597df454183f199ff8eff2d84"},
    {AuditKind::stop, "stop", "15b44eb243ae4ab797ef5c32f2e5d696"},
    {AuditKind::lockdown, "lockdown", "829d027bde4943abb4bf22674484139d"},
    {AuditKind::restore, "restore", "4517945d4f414f559b9d045f4edabff9"},
    {AuditKind::dropped, "dropped", "86e047e25f6a44e3bfd0c41f03413572"},
    {AuditKind::request, "request", "8f407c1d6937400a978ff4000063420c"},
    {AuditKind::approve, "approve", "772fbe32935c43b1b219ba37e01965fa"},
    {AuditKind::reject, "reject", "08dad53518714e82aa11d46ce68e08d1"},
    {AuditKind::lapse, "lapse", "38cbf02ff3af46558f7f9ef091863adb"},
    {AuditKind::cancel, "cancel", "8f4f40937c49411ca27fd6de0c2f6f71"},
    {AuditKind::notify, "notify", "95697c49a6044c4abc074b9abbd16f0c"},
}};

constexpr const AuditKindInfo& audit_info(AuditKind k) {
    return kAuditKinds[static_cast<std::size_t>(k)];
}

constexpr std::optional<AuditKind> audit_kind_from_name(std::string_view name) {
    for (const auto& i : kAuditKinds)
        if (i.name == name) return i.kind;
    return std::nullopt;
}

}  // namespace jitd::agent
