// Watches nf_tables for changes someone else makes to table inet jitd and restores it at once:
// the event socket is an sd-event source of high priority, every queued event is read in one
// turn and a burst of them costs one restore. ENOBUFS (lost events) means a resync against the
// kernel. Journals through RestoreJournal; a failed restore is retried shortly.
#pragma once

#include <functional>
#include <optional>

#include "agent/daemon/engine.hpp"
#include "agent/daemon/handles.hpp"
#include "agent/daemon/restore_journal.hpp"
#include "agent/daemon/table_changes.hpp"
#include "nft/monitor.hpp"

namespace jitd::agent {

class TableWatch {
  public:
    // `after_restore` runs after each restore (the daemon re-arms its expiry timer).
    // `monitor`: opened before the engine installed the table, so that nothing another tool
    // does meanwhile is missed (jitd's own install is then read and ignored).
    TableWatch(sd_event* e, Engine& engine, std::function<void()> after_restore,
               nft::Monitor monitor);
    ~TableWatch();
    TableWatch(const TableWatch&) = delete;
    TableWatch& operator=(const TableWatch&) = delete;

  private:
    static int on_events(sd_event_source* s, int fd, uint32_t revents, void* ud);
    static int on_timer(sd_event_source* s, uint64_t usec, void* ud);
    void handle(const nft::EventRead& read);
    void restore(ForeignChanges changes);
    void arm(std::chrono::steady_clock::time_point when);

    Engine& engine_;
    std::function<void()> after_restore_;
    nft::Monitor monitor_;
    RestoreJournal journal_;
    std::optional<ForeignChanges> retry_;  // a restore that failed, tried again by the timer
    SourcePtr io_, timer_;
};

}  // namespace jitd::agent
