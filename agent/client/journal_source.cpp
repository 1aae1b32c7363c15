#include "agent/client/journal_source.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace jitd::client {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void open_error(const std::string& what, int r) {
    throw std::runtime_error("cannot read the journal" + what + ": " + std::strerror(-r));
}

bool journal_file_name(const fs::path& p) {
    const std::string name = p.filename().string();
    return name.ends_with(".journal") || name.ends_with(".journal~");
}

// The status of a --directory or --file: JournalAccessDenied when a directory on the way may
// not be searched (else the path would look missing).
fs::file_status source_status(const std::string& option, const std::string& path) {
    std::error_code ec;
    const auto st = fs::status(path, ec);
    if (ec == std::errc::permission_denied)
        throw JournalAccessDenied("you may not read " + option + " " + path +
                                  " (permission denied on the way to it)");
    return st;
}

bool unreadable(const fs::path& p) {
    return ::access(p.c_str(), R_OK) != 0 && errno == EACCES;
}

// The first unreadable journal file or directory under `root`, at most `depth` levels down.
std::string first_unreadable_under(const fs::path& root, int depth) {
    std::error_code ec;
    fs::recursive_directory_iterator it(root, ec), end;
    if (ec) return ec == std::errc::permission_denied ? root.string() : std::string();
    for (; it != end; it.increment(ec)) {
        if (ec) break;
        const fs::path& p = it->path();
        const bool dir = it->is_directory(ec);
        if ((journal_file_name(p) || dir) && unreadable(p)) return p.string();
        if (dir && it.depth() >= depth) it.disable_recursion_pending();
    }
    return {};
}

}  // namespace

JournalHandle open_journal(const JournalSource& source) {
    sd_journal* raw = nullptr;
    switch (source.kind) {
        case JournalSource::Kind::local:
            if (const int r = sd_journal_open(&raw, SD_JOURNAL_LOCAL_ONLY); r < 0)
                open_error("", r);
            break;
        case JournalSource::Kind::directory: {
            const auto st = source_status("--directory", source.directory);
            if (!fs::is_directory(st))
                throw JournalSourceError(
                    "--directory " + source.directory + ": " +
                    (fs::exists(st) ? "not a directory" : "no such directory"));
            if (const int r = sd_journal_open_directory(&raw, source.directory.c_str(), 0); r < 0)
                open_error(" in " + source.directory, r);
            break;
        }
        case JournalSource::Kind::files: {
            std::vector<const char*> paths;
            for (const auto& f : source.files) {
                const auto st = source_status("--file", f);
                if (!fs::is_regular_file(st))
                    throw JournalSourceError(
                        "--file " + f + ": " +
                        (fs::exists(st) ? "not a regular file" : "no such file"));
                if (unreadable(f))
                    throw JournalAccessDenied("you may not read " + f +
                                              " (permission denied); its owner or group can");
                paths.push_back(f.c_str());
            }
            paths.push_back(nullptr);
            if (const int r = sd_journal_open_files(&raw, paths.data(), 0); r < 0)
                open_error(" files", r);
            break;
        }
    }
    return JournalHandle(raw);
}

std::string first_unreadable(const JournalSource& source) {
    switch (source.kind) {
        case JournalSource::Kind::local:
            for (const char* root : {"/var/log/journal", "/run/log/journal"})
                if (auto p = first_unreadable_under(root, 1); !p.empty()) return p;
            return {};
        case JournalSource::Kind::directory:
            // journal-remote writes DIR/remote-*.journal; a journald tree has DIR/MACHINE-ID/.
            return first_unreadable_under(source.directory, 1);
        case JournalSource::Kind::files:
            break;  // open_journal() refused an unreadable one already
    }
    return {};
}

}  // namespace jitd::client
