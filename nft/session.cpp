#include "nft/session.hpp"

#include <system_error>

#include "nft/netlink.hpp"
#include "nft/operations.hpp"

namespace jitd::nft {

Error::Error(Kind kind, int err, const std::string& what, std::optional<ElementKey> key)
    : std::runtime_error(what), kind_(kind), errno_(err), key_(key) {}

struct Session::Impl {
    Netlink nl;
    Features features;
    // For dumping the grant sets concurrently (listing.cpp): opened here, so that they are in
    // the namespace the session was opened in, whichever thread lists.
    std::vector<handles::Socket> dump_sockets;
};

namespace {

// Socket trouble (not a kernel verdict) surfaces as Error::Kind::io.
template <typename Fn>
auto guarded(Fn&& fn) -> decltype(fn()) {
    try {
        return fn();
    } catch (const std::system_error& e) {
        throw Error(Error::Kind::io, e.code().value(), std::string("nf_tables: ") + e.what());
    }
}

}  // namespace

namespace {

constexpr std::size_t kDumpSockets = 3;  // one per grant set beyond the first

}  // namespace

Session Session::open() {
    auto impl = guarded([] { return std::make_unique<Impl>(); });
    impl->features = guarded([&] { return ops::probe(impl->nl); });
    guarded([&] {
        for (std::size_t i = 0; i < kDumpSockets; ++i)
            impl->dump_sockets.push_back(Netlink::open_socket());
    });
    return Session(std::move(impl));
}

Session Session::open_assuming(const Features& assume) {
    auto impl = guarded([] { return std::make_unique<Impl>(); });
    impl->features = assume;
    guarded([&] {
        for (std::size_t i = 0; i < kDumpSockets; ++i)
            impl->dump_sockets.push_back(Netlink::open_socket());
    });
    return Session(std::move(impl));
}

Session::Session(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;
Session::~Session() = default;

const Features& Session::features() const {
    return impl_->features;
}

bool Session::table_exists() {
    return guarded([&] { return ops::table_exists(impl_->nl); });
}

void Session::install(const TableSpec& spec, const std::vector<Tuple>& pickups) {
    guarded([&] { ops::install(impl_->nl, spec, pickups); });
}

void Session::remove_table() {
    guarded([&] { ops::remove_table(impl_->nl); });
}

void Session::apply(const Change& change) {
    guarded([&] { ops::apply(impl_->nl, impl_->features, change); });
}

std::vector<ListedElement> Session::list_elements() {
    return guarded([&] { return ops::list_elements(impl_->nl, impl_->dump_sockets); });
}

std::optional<ListedElement> Session::find_element(const ElementKey& key) {
    return guarded([&] { return ops::find_element(impl_->nl, key); });
}

std::vector<Tuple> Session::list_pickups() {
    return guarded([&] { return ops::list_pickups(impl_->nl); });
}

void Session::remove_pickups(const std::vector<Tuple>& tuples) {
    guarded([&] { ops::remove_pickups(impl_->nl, impl_->features, tuples); });
}

void Session::restore(const TableSpec& spec, const std::vector<Element>& grants,
                      const std::vector<PendingElement>& pending) {
    guarded([&] { ops::restore(impl_->nl, spec, grants, pending); });
}

std::vector<PendingElement> Session::list_pending() {
    return guarded([&] { return ops::list_pending(impl_->nl); });
}

void Session::add_pending(const std::vector<PendingElement>& elements) {
    guarded([&] { ops::add_pending(impl_->nl, elements); });
}

void Session::remove_pending(const std::vector<std::uint64_t>& keys) {
    guarded([&] { ops::remove_pending(impl_->nl, impl_->features, keys); });
}

std::uint32_t Session::portid() const {
    return impl_->nl.portid();
}

std::size_t Session::input_rule_count() {
    return guarded([&] { return ops::input_rule_count(impl_->nl); });
}

std::size_t Session::expected_rule_count(const TableSpec& spec) {
    auto any_id = [](std::string_view) { return 1u; };
    return ops::remote_rules(spec, any_id).size() + ops::chain_rules(any_id).size();
}

std::vector<std::string> Session::foreign_input_drop_chains() {
    return guarded([&] { return ops::foreign_input_drop_chains(impl_->nl); });
}

}  // namespace jitd::nft
