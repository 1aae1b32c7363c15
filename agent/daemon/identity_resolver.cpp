#include "agent/daemon/identity_resolver.hpp"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <spdlog/spdlog.h>

namespace jitd::agent {
namespace {

constexpr std::size_t kMaxCacheEntries = 4096;

}  // namespace

// Not in the anonymous namespace: IdentityResolver::Shared (external linkage) holds them.
namespace identity_resolver_detail {

struct Job {
    std::uint64_t token = 0;
    Fd fd;
    KernelCredentials creds;
};

struct Result {
    std::uint64_t token = 0;
    std::optional<Peer> peer;
    KernelCredentials creds;
};

}  // namespace identity_resolver_detail
using identity_resolver_detail::Job;
using identity_resolver_detail::Result;

std::optional<KernelCredentials> kernel_credentials(int fd) {
    ucred cred{};
    socklen_t len = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof cred)
        return std::nullopt;
    KernelCredentials k{cred.uid, cred.gid, cred.pid, {}};
    std::vector<gid_t> gids(64);
    for (int tries = 0; tries < 8; ++tries) {
        socklen_t bytes = static_cast<socklen_t>(gids.size() * sizeof(gid_t));
        if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, gids.data(), &bytes) == 0) {
            gids.resize(bytes / sizeof(gid_t));
            std::sort(gids.begin(), gids.end());
            k.groups = std::move(gids);
            break;
        }
        if (errno != ERANGE) break;
        gids.resize(std::max<std::size_t>(bytes / sizeof(gid_t), gids.size() * 2));
    }
    return k;
}

// What the workers and the loop share. The workers hold it too, so a worker still stuck in a
// lookup when the resolver goes away touches nothing freed.
struct IdentityResolver::Shared {
    std::mutex mutex;
    std::condition_variable wake_workers;
    std::deque<Job> jobs;
    std::vector<Result> results;
    bool stop = false;
    Fd event_fd;

    void work() {
        for (;;) {
            Job job;
            {
                std::unique_lock lock(mutex);
                wake_workers.wait(lock, [this] { return stop || !jobs.empty(); });
                if (stop) return;
                job = std::move(jobs.front());
                jobs.pop_front();
            }
            Result r{job.token, std::nullopt, job.creds};
            try {
                r.peer = peer_credentials(job.fd.get());
            } catch (const std::exception&) {
                r.peer = std::nullopt;
            }
            job.fd.reset();
            {
                std::lock_guard lock(mutex);
                results.push_back(std::move(r));
            }
            std::uint64_t one = 1;
            (void)!::write(event_fd.get(), &one, sizeof one);
        }
    }
};

IdentityResolver::IdentityResolver(sd_event* event, Done done, unsigned threads,
                                   std::chrono::seconds cache_for)
    : shared_(std::make_shared<Shared>()), done_(std::move(done)), cache_for_(cache_for) {
    shared_->event_fd = Fd(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    if (!shared_->event_fd) throw std::runtime_error("cannot create the resolver's eventfd");
    sd_event_source* s = nullptr;
    if (sd_event_add_io(event, &s, shared_->event_fd.get(), EPOLLIN, &IdentityResolver::on_wake,
                        this) < 0)
        throw std::runtime_error("cannot watch the resolver's eventfd");
    wake_source_.reset(s);
    for (unsigned i = 0; i < std::max(threads, 1u); ++i)
        std::thread([shared = shared_] { shared->work(); }).detach();
}

IdentityResolver::~IdentityResolver() {
    wake_source_.reset();
    std::lock_guard lock(shared_->mutex);
    shared_->stop = true;
    shared_->jobs.clear();
    shared_->wake_workers.notify_all();
}

std::optional<Peer> IdentityResolver::cached(const KernelCredentials& creds) {
    auto it = cache_.find(Key{creds.uid, creds.gid, creds.groups});
    if (it == cache_.end()) return std::nullopt;
    if (it->second.until < std::chrono::steady_clock::now()) {
        cache_.erase(it);
        return std::nullopt;
    }
    Peer p = it->second.peer;
    p.pid = creds.pid;
    return p;
}

void IdentityResolver::resolve(std::uint64_t token, int fd, const KernelCredentials& creds) {
    Fd copy(::fcntl(fd, F_DUPFD_CLOEXEC, 0));
    if (!copy) throw std::runtime_error("cannot duplicate a connection for its lookup");
    std::lock_guard lock(shared_->mutex);
    shared_->jobs.push_back(Job{token, std::move(copy), creds});
    shared_->wake_workers.notify_one();
}

int IdentityResolver::on_wake(sd_event_source*, int, uint32_t, void* userdata) {
    auto* self = static_cast<IdentityResolver*>(userdata);
    try {
        self->drain();
    } catch (const std::exception& e) {  // never unwind into sd-event's C frames
        spdlog::error("handing over resolved identities failed: {}", e.what());
    }
    return 0;
}

void IdentityResolver::drain() {
    std::uint64_t n = 0;
    (void)!::read(shared_->event_fd.get(), &n, sizeof n);
    std::vector<Result> results;
    {
        std::lock_guard lock(shared_->mutex);
        results.swap(shared_->results);
    }
    const auto until = std::chrono::steady_clock::now() + cache_for_;
    for (auto& r : results) {
        if (r.peer) {
            if (cache_.size() >= kMaxCacheEntries) cache_.clear();
            cache_[Key{r.creds.uid, r.creds.gid, r.creds.groups}] = CacheEntry{*r.peer, until};
        }
        done_(r.token, std::move(r.peer));
    }
}

}  // namespace jitd::agent
