#include "agent/client/keys_command.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ostream>
#include <sstream>

#include "agent/client/exit_codes.hpp"
#include "agent/client/keys_ssh.hpp"
#include "agent/client/text_table.hpp"
#include "remote/base64.hpp"
#include "remote/fwknop_keys.hpp"

namespace jitd::client {

namespace {

// The group jitd reads its key files as; root's when the package's group does not exist.
gid_t keys_group() {
    const struct group* g = ::getgrnam("jitd");
    return g ? g->gr_gid : 0;
}

std::string group_name(gid_t gid) {
    const struct group* g = ::getgrgid(gid);
    return g ? g->gr_name : std::to_string(gid);
}

std::string user_name(uid_t uid) {
    const struct passwd* p = ::getpwuid(uid);
    return p ? p->pw_name : std::to_string(uid);
}

std::string host_name() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "HOST";
    return buf;
}

std::string errno_text() {
    return std::strerror(errno);
}

// Removes the temporary file unless it was renamed into place.
struct TempFile {
    std::string path;
    int fd = -1;
    bool keep = false;
    ~TempFile() {
        if (fd >= 0) ::close(fd);
        if (!keep && !path.empty()) ::unlink(path.c_str());
    }
};

void write_all(int fd, const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw std::runtime_error("write: " + errno_text());
        done += static_cast<std::size_t>(n);
    }
}

std::string rc_stanza(const KeysAddOptions& o, const remote::GeneratedFwknopKey& key) {
    const std::string server = o.server.empty() ? host_name() : o.server;
    std::ostringstream s;
    s << "# ~/.fwknoprc for " << o.user << " (mode 0600); then: fwknop -n " << server << " && ssh "
      << server << "\n"
      << "[" << server << "]\n"
      << "SPA_SERVER          " << server << "\n"
      << "SPA_SERVER_PORT     62201\n"
      << "ACCESS              " << o.access << "\n"
      << "# your public IPv4 address; 'resolve' looks it up over HTTPS, 'source' needs\n"
      << "# remote.packet_source: true in jitd's policy\n"
      << "ALLOW_IP            resolve\n"
      << "KEY_BASE64          " << remote::base64_encode(key.encryption) << "\n"
      << "HMAC_KEY_BASE64     " << remote::base64_encode(key.hmac) << "\n"
      << "USE_HMAC            Y\n"
      << "HMAC_DIGEST_TYPE    SHA256\n"
      << "# FW_TIMEOUT        3600   (seconds; default: the policy's remote.default_duration)\n";
    return s.str();
}

}  // namespace

int keys_add(const KeysAddOptions& o, Io& io) {
    if (o.fwknop == !o.pub.empty()) {
        io.err << "jit-request: keys add: say which kind of key: --fwknop or --pub FILE\n";
        return kExitUsage;
    }
    if (!o.pub.empty()) return keys_add_pub(o.dir, o.user, o.pub, o.force, io);
    if (!remote::valid_key_user(o.user)) {
        io.err << "jit-request: keys add: '" << o.user
               << "' is not a usable user name (letters, digits, '.', '_', '-')\n";
        return kExitUsage;
    }
    const std::string file = o.dir + "/" + o.user + ".fwknop";
    const gid_t gid = keys_group();
    try {
        struct stat st {};
        if (::stat(o.dir.c_str(), &st) != 0) {
            if (errno != ENOENT || ::mkdir(o.dir.c_str(), 0750) != 0 ||
                ::chown(o.dir.c_str(), 0, gid) != 0)
                throw std::runtime_error(o.dir + ": " + errno_text());
        }
        if (!o.force && ::lstat(file.c_str(), &st) == 0) {
            io.err << "jit-request: keys add: " << file
                   << " exists; --force replaces it (the user's old keys stop working)\n";
            return kExitRefused;
        }
        TempFile tmp;
        std::string templ = o.dir + "/." + o.user + ".fwknop.XXXXXX";
        tmp.fd = ::mkstemp(templ.data());
        if (tmp.fd < 0) throw std::runtime_error(o.dir + ": " + errno_text());
        tmp.path = templ;
        if (::fchown(tmp.fd, 0, gid) != 0)
            throw std::runtime_error("cannot make it owned by root:" + group_name(gid) + " (" +
                                     errno_text() + "; run as root)");
        if (::fchmod(tmp.fd, 0640) != 0) throw std::runtime_error("chmod: " + errno_text());
        const auto key = remote::generate_fwknop_key();
        write_all(tmp.fd, "# jitd fwknop keys for " + o.user + " (jit-request keys add)\n" +
                              remote::format_fwknop_key_file(key));
        if (::fsync(tmp.fd) != 0) throw std::runtime_error("fsync: " + errno_text());
        const unsigned flags = o.force ? 0 : RENAME_NOREPLACE;
        if (::renameat2(AT_FDCWD, tmp.path.c_str(), AT_FDCWD, file.c_str(), flags) != 0) {
            if (errno == EEXIST) {
                io.err << "jit-request: keys add: " << file << " exists; --force replaces it\n";
                return kExitRefused;
            }
            throw std::runtime_error("rename: " + errno_text());
        }
        tmp.keep = true;
        io.err << "jit-request: wrote " << file << " (root:" << group_name(gid) << ", 0640). Give "
               << o.user << " the stanza below over a safe channel: it holds their secret keys.\n";
        io.out << rc_stanza(o, key);
        return kExitOk;
    } catch (const std::exception& e) {
        io.err << "jit-request: keys add: " << file << ": " << e.what() << "\n";
        return kExitUnavailable;
    }
}

int keys_list(const std::string& dir, Io& io, const std::optional<std::string>& user_ca) {
    const auto load = remote::load_fwknop_keys(dir, keys_group());
    TextTable table({"USER", "KIND", "FILE", "MODE", "OWNER", "CHECK"});
    struct Row {
        std::string file, user, check, kind = "fwknop";
    };
    std::vector<Row> rows;
    for (const auto& k : load.keys) rows.push_back({k.file, k.user, "ok"});
    bool refused_ssh = false;
    for (auto& k : ssh_key_rows(dir, user_ca)) {
        refused_ssh = refused_ssh || k.check.rfind("refused", 0) == 0;
        rows.push_back({k.file, k.user, k.check, k.kind});
    }
    for (const auto& e : load.errors) {
        const std::size_t at = e.find(".fwknop: ");
        if (at == std::string::npos) {  // the directory itself (the ssh rows say it too)
            io.err << "jit-request: keys list: " << e << "\n";
            return kExitUnavailable;
        }
        const std::string file = e.substr(0, at + 7);
        const std::string name = file.substr(file.rfind('/') + 1);
        rows.push_back({file, name.substr(0, name.size() - 7), "refused: " + e.substr(at + 9)});
    }
    std::stable_sort(rows.begin(), rows.end(),
                     [](const Row& a, const Row& b) { return a.file < b.file; });
    for (const auto& r : rows) {
        struct stat st {};
        const bool ok = ::lstat(r.file.c_str(), &st) == 0;
        char mode[8] = "?";
        if (ok) std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        table.add_row({r.user, r.kind, r.file, mode,
                       ok ? user_name(st.st_uid) + ":" + group_name(st.st_gid) : "?", r.check});
    }
    if (rows.empty()) {
        io.out << "no key files in " << dir
               << " (jit-request keys add USER --fwknop | --pub FILE)\n";
        return kExitOk;
    }
    io.out << table.render();
    return load.errors.empty() && !refused_ssh ? kExitOk : kExitRefused;
}

KeysCommand::KeysCommand(CLI::App& app) {
    keys_ = app.add_subcommand("keys", "create and check the key files of remote requests");
    keys_->require_subcommand(1);
    add_ = keys_->add_subcommand("add",
                                 "write DIR/USER.fwknop with fresh keys and print the "
                                 "user's ~/.fwknoprc stanza, or add SSH keys (--pub)");
    add_->add_option("USER", add_options_.user, "the user the key identifies")->required();
    add_->add_flag("--fwknop", add_options_.fwknop, "keys for the stock fwknop client (SPA)");
    add_->add_option("--pub", add_options_.pub,
                     "add the SSH public keys in FILE (id_ed25519.pub, authorized_keys lines) "
                     "to DIR/USER.pub, for signed requests");
    add_->add_option("--dir", add_options_.dir, "key directory (default /etc/jitd/keys)");
    add_->add_flag("--force", add_options_.force, "replace an existing key file");
    add_->add_option("--server", add_options_.server,
                     "SPA_SERVER for the stanza (default: this host's name)");
    add_->add_option("--access", add_options_.access, "ACCESS for the stanza (default tcp/22)");
    list_ = keys_->add_subcommand("list", "list the key files and whether jitd accepts them");
    list_->add_option("--dir", list_dir_, "key directory (default /etc/jitd/keys)");
    list_->add_option("--user-ca", list_user_ca_, "also check remote.user_ca, this CA key file");
}

bool KeysCommand::parsed() const {
    return keys_->parsed();
}

int KeysCommand::run(Io& io) const {
    if (add_->parsed()) return keys_add(add_options_, io);
    if (list_->parsed())
        return keys_list(list_dir_, io,
                         list_user_ca_.empty() ? std::nullopt : std::optional(list_user_ca_));
    return kExitUsage;
}

}  // namespace jitd::client
