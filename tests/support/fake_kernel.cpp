#include "tests/support/fake_kernel.hpp"

#include <algorithm>
#include <cerrno>
#include <utility>

namespace jitd::test {
namespace {

using nft::ElementKey;
using nft::Error;

// The same set: hosts go to the hash sets, prefixes to the interval sets, per family.
bool same_set(const ElementKey& a, const ElementKey& b) {
    return a.source.family == b.source.family && a.source.is_host() == b.source.is_host();
}

// Two prefixes of one interval set on the same proto/port that share an address.
bool overlaps(const ElementKey& a, const ElementKey& b) {
    if (!same_set(a, b) || a.source.is_host() || a.proto != b.proto || a.port != b.port)
        return false;
    const unsigned bits = std::min(a.source.len, b.source.len);
    for (unsigned i = 0; i < bits; ++i) {
        const auto bit = [i](const nft::Prefix& p) { return (p.bytes[i / 8] >> (7 - i % 8)) & 1; };
        if (bit(a.source) != bit(b.source)) return false;
    }
    return true;
}

Error exists(const ElementKey& k) {
    return Error(Error::Kind::exists, EEXIST,
                 "kernel refused grant element " + k.str() +
                     (k.source.is_host() ? ": File exists"
                                         : ": File exists (the same prefix is already there)"),
                 k);
}

// As nft/elements.cpp checks before sending anything.
void check_add(const nft::Element& e) {
    if (e.timeout.count() <= 0)
        throw Error(Error::Kind::kernel, EINVAL,
                    "grant element " + e.key.str() + " needs a timeout > 0", e.key);
    if (e.comment.size() > 127)
        throw Error(Error::Kind::kernel, EINVAL,
                    "grant element " + e.key.str() + ": comment longer than 127 bytes", e.key);
}

// As nft/pending.cpp checks before sending anything.
void check_pending(const nft::PendingElement& e) {
    if (e.timeout.count() <= 0)
        throw Error(Error::Kind::kernel, EINVAL, "pending element needs a timeout > 0");
    if (e.comment.size() > 127)
        throw Error(Error::Kind::kernel, EINVAL, "pending element: comment longer than 127 bytes");
}

// The port id handed out per connection, and forwarding to the shared state.
class Connection final : public nft::Kernel {
  public:
    Connection(FakeKernel& k, std::uint32_t portid) : k_(k), portid_(portid) {}
    bool table_exists() override { return k_.table_exists(); }
    void install(const nft::TableSpec& s, const std::vector<nft::Tuple>& p) override {
        k_.install(s, p);
    }
    void remove_table() override { k_.remove_table(); }
    void apply(const nft::Change& c) override { k_.apply(c); }
    std::vector<nft::ListedElement> list_elements() override { return k_.list_elements(); }
    std::optional<nft::ListedElement> find_element(const ElementKey& key) override {
        return k_.find_element(key);
    }
    std::vector<nft::Tuple> list_pickups() override { return k_.list_pickups(); }
    void remove_pickups(const std::vector<nft::Tuple>& t) override { k_.remove_pickups(t); }
    void restore(const nft::TableSpec& s, const std::vector<nft::Element>& g,
                 const std::vector<nft::PendingElement>& p) override {
        k_.restore(s, g, p);
    }
    std::vector<nft::PendingElement> list_pending() override { return k_.list_pending(); }
    void add_pending(const std::vector<nft::PendingElement>& e) override { k_.add_pending(e); }
    void remove_pending(const std::vector<std::uint64_t>& k) override { k_.remove_pending(k); }
    std::uint32_t portid() const override { return portid_; }
    std::size_t input_rule_count() override { return k_.input_rule_count(); }
    std::size_t expected_input_rules(const nft::TableSpec& spec) const override {
        return nft::Session::expected_rule_count(spec);
    }
    std::vector<std::string> foreign_input_drop_chains() override {
        return k_.foreign_drop_chains();
    }

  private:
    FakeKernel& k_;
    std::uint32_t portid_;
};

}  // namespace

std::unique_ptr<nft::Kernel> FakeKernel::connect() {
    return std::make_unique<Connection>(*this, next_portid_++);
}

void FakeKernel::fail(Call call, nft::Error error, int times) {
    faults_.insert_or_assign(call, std::make_pair(std::move(error), times));
}

void FakeKernel::injected(Call call) {
    auto it = faults_.find(call);
    if (it == faults_.end()) return;
    const nft::Error e = it->second.first;
    if (--it->second.second <= 0) faults_.erase(it);
    throw e;
}

void FakeKernel::purge() {
    const Millis now = clock_.monotonic;
    std::erase_if(elements_, [now](const Stored& s) { return s.expires <= now; });
    std::erase_if(pickups_, [now](const auto& p) { return p.second <= now; });
    std::erase_if(pending_, [now](const StoredPending& p) { return p.expires <= now; });
}

const FakeKernel::Stored* FakeKernel::stored(const ElementKey& key) const {
    for (const auto& s : elements_)
        if (s.element.key == key) return &s;
    return nullptr;
}

void FakeKernel::install(const nft::TableSpec& spec, const std::vector<nft::Tuple>& pickups) {
    injected(Call::install);
    purge();
    table_ = true;
    spec_ = spec;
    rules_ = nft::Session::expected_rule_count(spec);
    for (const auto& t : pickups)
        if (std::none_of(pickups_.begin(), pickups_.end(), [&](auto& p) { return p.first == t; }))
            pickups_.emplace_back(t, clock_.monotonic + nft::kPickupTimeout);
}

void FakeKernel::remove_table() {
    table_ = false;
    elements_.clear();
    pickups_.clear();
    pending_.clear();
}

void FakeKernel::apply(const nft::Change& change) {
    if (change.empty()) return;
    for (const auto& e : change.add) check_add(e);
    injected(Call::apply);
    purge();
    if (!table_) {
        const bool removal = !change.remove.empty();
        const ElementKey& k = removal ? change.remove.front() : change.add.front().key;
        throw Error(Error::Kind::not_found, ENOENT,
                    std::string("kernel refused ") + (removal ? "removal of " : "") +
                        "grant element " + k.str() + ": No such file or directory",
                    k);
    }
    std::vector<Stored> next = elements_;  // all or nothing
    for (const auto& k : change.remove)
        std::erase_if(next, [&](const Stored& s) { return s.element.key == k; });
    std::vector<ElementKey> added;
    for (const auto& e : change.add) {
        if (std::find(added.begin(), added.end(), e.key) != added.end()) throw exists(e.key);
        auto same = std::find_if(next.begin(), next.end(),
                                 [&](const Stored& s) { return s.element.key == e.key; });
        if (same != next.end()) {
            if (!change.replace) throw exists(e.key);
            next.erase(same);
        }
        for (const auto& s : next)
            if (overlaps(s.element.key, e.key))
                throw Error(Error::Kind::overlap, EEXIST,
                            "kernel refused grant element " + e.key.str() +
                                ": File exists (overlaps an existing element)",
                            e.key);
        const Millis timeout = std::chrono::duration_cast<Millis>(e.timeout);
        next.push_back(Stored{e, timeout, clock_.monotonic + timeout});
        added.push_back(e.key);
    }
    elements_ = std::move(next);
    applied_.push_back(change);
}

std::vector<nft::ListedElement> FakeKernel::list_elements() {
    injected(Call::list);
    purge();
    std::vector<nft::ListedElement> out;
    for (const auto& s : elements_)
        out.push_back({s.element.key, s.timeout, s.expires - clock_.monotonic, s.element.comment});
    return out;
}

std::optional<nft::ListedElement> FakeKernel::find_element(const ElementKey& key) {
    injected(Call::find);
    purge();
    const Stored* s = stored(key);
    if (s == nullptr) return std::nullopt;
    return nft::ListedElement{key, s->timeout, s->expires - clock_.monotonic, ""};  // no comment
}

std::vector<nft::Tuple> FakeKernel::list_pickups() {
    injected(Call::pickups);
    purge();
    std::vector<nft::Tuple> out;
    for (const auto& p : pickups_) out.push_back(p.first);
    return out;
}

void FakeKernel::remove_pickups(const std::vector<nft::Tuple>& tuples) {
    if (tuples.empty()) return;
    injected(Call::pickups);
    if (!table_)
        throw Error(Error::Kind::not_found, ENOENT,
                    "kernel refused removal of pickup element " + tuples.front().str() +
                        ": No such file or directory");
    for (const auto& t : tuples) std::erase_if(pickups_, [&](auto& p) { return p.first == t; });
}

void FakeKernel::restore(const nft::TableSpec& spec, const std::vector<nft::Element>& grants,
                         const std::vector<nft::PendingElement>& pending) {
    for (const auto& e : grants) check_add(e);
    for (const auto& p : pending) check_pending(p);
    injected(Call::restore);
    purge();
    std::vector<Stored> next;
    for (const auto& e : grants) {
        for (const auto& s : next)
            if (s.element.key == e.key || overlaps(s.element.key, e.key))
                // Elements go in messages of many: the error names the message, not the key.
                throw Error(Error::Kind::kernel, EEXIST,
                            "kernel refused grant elements " + e.key.str() + " ...: File exists");
        const Millis timeout = std::chrono::duration_cast<Millis>(e.timeout);
        next.push_back(Stored{e, timeout, clock_.monotonic + timeout});
    }
    if (!table_) pickups_.clear();
    table_ = true;
    spec_ = spec;
    rules_ = nft::Session::expected_rule_count(spec);
    elements_ = std::move(next);
    pending_.clear();
    for (const auto& p : pending) pending_.push_back({p, clock_.monotonic + p.timeout});
    ++restores_;
}

std::vector<nft::PendingElement> FakeKernel::list_pending() {
    injected(Call::pending);
    purge();
    std::vector<nft::PendingElement> out;
    for (const auto& s : pending_) {
        nft::PendingElement e = s.element;
        e.remaining = s.expires - clock_.monotonic;
        out.push_back(std::move(e));
    }
    return out;
}

void FakeKernel::add_pending(const std::vector<nft::PendingElement>& elements) {
    if (elements.empty()) return;
    for (const auto& e : elements) check_pending(e);
    injected(Call::pending);
    purge();
    if (!table_)
        throw Error(Error::Kind::not_found, ENOENT,
                    "kernel refused pending element: No such file or directory");
    for (const auto& e : elements)
        for (const auto& s : pending_)
            if (s.element.key == e.key)
                throw Error(Error::Kind::exists, EEXIST, "kernel refused pending element: exists");
    for (const auto& e : elements) pending_.push_back({e, clock_.monotonic + e.timeout});
}

void FakeKernel::remove_pending(const std::vector<std::uint64_t>& keys) {
    if (keys.empty()) return;
    injected(Call::pending);
    if (!table_)
        throw Error(Error::Kind::not_found, ENOENT,
                    "kernel refused removal of pending element: No such file or directory");
    for (const auto k : keys)
        std::erase_if(pending_, [k](const StoredPending& s) { return s.element.key == k; });
}

void FakeKernel::foreign_remove_pending(std::uint64_t key) {
    std::erase_if(pending_, [key](const StoredPending& s) { return s.element.key == key; });
}

void FakeKernel::foreign_add(const nft::Element& e, Millis timeout) {
    purge();
    std::erase_if(elements_, [&](const Stored& s) { return s.element.key == e.key; });
    elements_.push_back(Stored{e, timeout, clock_.monotonic + timeout});
}

bool FakeKernel::foreign_remove(const ElementKey& key) {
    purge();
    return std::erase_if(elements_, [&](const Stored& s) { return s.element.key == key; }) > 0;
}

}  // namespace jitd::test
