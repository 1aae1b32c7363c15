// A port's `approval:` section: strict like the rest of the loader.
#include "config/approval_loader.hpp"

#include "config/duration.hpp"
#include "config/printable.hpp"

namespace jitd::config::detail {
namespace {

// More approvers than this is a typo, and every approval is one more journal entry.
constexpr long long kMaxRequired = 16;
constexpr std::size_t kMaxNotifyArgs = 64;

std::vector<std::string> read_notify(const Reader& r, const Field& f) {
    std::vector<std::string> argv;
    const auto items = r.sequence(f);
    if (items.empty()) r.fail(f, f.name + ": an empty command; omit `notify` for none");
    if (items.size() > kMaxNotifyArgs) {
        r.fail(f, f.name + ": more than " + std::to_string(kMaxNotifyArgs) + " arguments");
    }
    for (const auto& item : items) {
        const YAML::Mark at = mark_or(item, f.key.Mark());
        if (!item.IsScalar()) r.fail(at, f.name + ": expected a string, got " + describe(item));
        const std::string& arg = item.Scalar();
        for (const char c : arg) {
            if (static_cast<unsigned char>(c) < ' ' || c == 0x7f) {
                r.fail(at, f.name + ": '" + printable(arg) + "' contains a control character");
            }
        }
        if (argv.empty() && (arg.empty() || arg.front() != '/')) {
            r.fail(at, f.name + ": the command must be an absolute path (no shell runs it), got '" +
                           printable(arg) + "'");
        }
        argv.push_back(arg);
    }
    return argv;
}

}  // namespace

Approval read_approval(const Reader& r, const Field& f) {
    if (!f.value.IsMap()) {
        r.fail(f, "approval: expected a mapping with approvers, got " + describe(f.value));
    }
    const Fields fields = r.mapping(f.value, f.key.Mark(), "approval",
                                    {"approvers", "required", "wait", "admins_bypass", "notify"});
    Approval a;
    const Field* who = fields.get("approvers");
    if (who == nullptr) r.fail(f, "approval: missing required key 'approvers'");
    a.approvers = read_role(r, named(*who, "approval.approvers"));
    if (a.approvers.users.empty() && a.approvers.groups.empty()) {
        r.fail(*who,
               "approval.approvers: names nobody, so no request could ever be approved; "
               "list users or groups");
    }
    if (const Field* n = fields.get("required")) {
        a.required =
            static_cast<unsigned>(r.integer(named(*n, "approval.required"), 1, kMaxRequired));
        if (a.approvers.groups.empty() && a.required > a.approvers.users.size()) {
            r.fail(*n, "approval.required: " + std::to_string(a.required) +
                           " distinct approvers, but only " +
                           std::to_string(a.approvers.users.size()) +
                           " users are listed (and no groups)");
        }
    }
    if (const Field* w = fields.get("wait")) {
        a.wait = r.duration(named(*w, "approval.wait"));
        if (a.wait > kMaxApprovalWait) {
            r.fail(*w, "approval.wait: " + r.string(*w) + " exceeds the " +
                           format_duration(kMaxApprovalWait) + " limit");
        }
    }
    if (const Field* b = fields.get("admins_bypass"))
        a.admins_bypass = r.boolean(named(*b, "approval.admins_bypass"));
    if (const Field* c = fields.get("notify"))
        a.notify = read_notify(r, named(*c, "approval.notify"));
    return a;
}

}  // namespace jitd::config::detail
