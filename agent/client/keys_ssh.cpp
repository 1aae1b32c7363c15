#include "agent/client/keys_ssh.hpp"

#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>
#include <utility>

#include "agent/client/exit_codes.hpp"
#include "remote/ssh/ssh_keyring.hpp"

namespace jitd::client {
namespace {

namespace ssh = remote::ssh;

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path + ": " + std::strerror(errno));
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// The key lines of an authorized_keys text, trimmed (comments and blank lines dropped).
std::vector<std::string> key_lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
        const auto first = line.find_first_not_of(" \t");
        if (first == std::string::npos || line[first] == '#') continue;
        out.push_back(line.substr(first));
    }
    return out;
}

// Writes `text` to `path` through a temporary file: root:jitd (root:root without the group),
// 0640.
void install_file(const std::string& path, const std::string& text) {
    std::string tmpl = path + ".XXXXXX";
    const int fd = ::mkstemp(tmpl.data());
    if (fd < 0) throw std::runtime_error(path + ": " + std::strerror(errno));
    const struct group* g = ::getgrnam("jitd");
    bool ok = ::fchown(fd, 0, g ? g->gr_gid : 0) == 0 && ::fchmod(fd, 0640) == 0;
    std::size_t done = 0;
    while (ok && done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        ok = n > 0;
        if (ok) done += static_cast<std::size_t>(n);
    }
    ok = ok && ::fsync(fd) == 0;
    const int saved = errno;
    ::close(fd);
    if (!ok || ::rename(tmpl.c_str(), path.c_str()) != 0) {
        const int e = ok ? errno : saved;
        ::unlink(tmpl.c_str());
        throw std::runtime_error(path + ": " + std::strerror(e) + " (run as root)");
    }
}

std::string options_text(const ssh::KeyEntry& k) {
    std::string out;
    if (k.from) out += " from=\"" + k.from->str() + "\"";
    if (!k.sk.user_presence) out += " no-touch-required";
    if (k.sk.user_verification) out += " verify-required";
    return out;
}

}  // namespace

int keys_add_pub(const std::string& dir, const std::string& user, const std::string& pub_file,
                 bool replace, Io& io) {
    if (!ssh::valid_user_name(user)) {
        io.err << "jit-request: keys add: '" << user << "' is not a usable user name\n";
        return kExitUsage;
    }
    const std::string file = dir + "/" + user + ".pub";
    try {
        const std::vector<std::string> lines = key_lines(read_text(pub_file));
        if (lines.empty()) {
            io.err << "jit-request: keys add: " << pub_file << " holds no key\n";
            return kExitUsage;
        }
        ssh::Keyring ring;
        ssh::LoadErrors errors;
        std::string text;
        for (const auto& l : lines) text += l + "\n";
        ssh::add_authorized_keys(ring, user, text, pub_file, errors);
        for (const auto& e : errors) io.err << "jit-request: keys add: " << e << "\n";
        if (!errors.empty()) return kExitRefused;
        std::string existing;
        struct stat st {};
        if (!replace && ::stat(file.c_str(), &st) == 0) existing = read_text(file);
        // A key already in the file (whatever its options there) is not added again.
        ssh::Keyring old_ring;
        ssh::LoadErrors ignored;
        ssh::add_authorized_keys(old_ring, user, existing, file, ignored);
        std::string added;
        std::size_t count = 0;
        for (const auto& line : lines) {
            ssh::Keyring one;
            ssh::add_authorized_keys(one, user, line + "\n", pub_file, ignored);
            if (one.keys.empty() || !old_ring.find(one.keys.front().key.blob).empty()) continue;
            ssh::add_authorized_keys(old_ring, user, line + "\n", pub_file, ignored);
            added += line + "\n";
            ++count;
        }
        if (::stat(dir.c_str(), &st) != 0 && (::mkdir(dir.c_str(), 0750) != 0))
            throw std::runtime_error(dir + ": " + std::strerror(errno));
        install_file(file, existing + added);
        io.err << "jit-request: " << file << ": " << count << " key" << (count == 1 ? "" : "s")
               << " added";
        if (count < lines.size()) io.err << " (" << lines.size() - count << " already there)";
        io.err << "\n";
        for (const auto& k : ring.keys)
            io.out << user << " " << ssh::key_type_name(k.key.type) << " " << k.fingerprint
                   << options_text(k) << "\n";
        return kExitOk;
    } catch (const std::exception& e) {
        io.err << "jit-request: keys add: " << e.what() << "\n";
        return kExitUnavailable;
    }
}

std::vector<KeyRow> ssh_key_rows(const std::string& dir,
                                 const std::optional<std::string>& user_ca) {
    std::optional<std::filesystem::path> ca;
    if (user_ca) ca = *user_ca;
    const ssh::KeyringLoad load = ssh::load_keyring(dir, ca);
    std::vector<KeyRow> rows;
    for (const auto& k : load.keyring.keys) {
        const std::string file = k.where.substr(0, k.where.rfind(':'));
        rows.push_back({k.user, std::string("ssh ") + ssh::key_type_name(k.key.type), file,
                        "ok " + k.fingerprint + options_text(k)});
    }
    for (const auto& k : load.keyring.user_cas)
        rows.push_back({"(user CA)", std::string("ssh ") + ssh::key_type_name(k.type), *user_ca,
                        "ok " + ssh::fingerprint(k.blob)});
    for (const auto& e : load.errors) {
        // "FILE:LINE: reason", or "FILE: reason"
        const auto colon = e.find(": ");
        std::string where = e.substr(0, colon);
        const std::string reason = colon == std::string::npos ? e : e.substr(colon + 2);
        std::string file = where, line;
        if (const auto c = where.rfind(':'); c != std::string::npos)
            file = where.substr(0, c), line = "line " + where.substr(c + 1) + ": ";
        std::string user = file.substr(file.rfind('/') + 1);
        if (user.size() > 4 && user.ends_with(".pub")) user.resize(user.size() - 4);
        if (user_ca && file == *user_ca) user = "(user CA)";
        std::string status = "refused: ";
        status += line;
        status += reason;
        rows.push_back({user, "ssh", file, std::move(status)});
    }
    return rows;
}

}  // namespace jitd::client
