#include "agent/daemon/logging.hpp"

#include <cstdlib>
#include <iterator>
#include <memory>
#include <string_view>

#include <spdlog/cfg/env.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace jitd::agent {
namespace {

// Under systemd, stderr goes to the journal (JOURNAL_STREAM is set): a "<N>" prefix gives each
// line its syslog priority there, and journald adds the name, pid and time itself.
class SyslogPriorityFlag : public spdlog::custom_flag_formatter {
  public:
    void format(const spdlog::details::log_msg& msg, const std::tm&,
                spdlog::memory_buf_t& dest) override {
        static constexpr std::string_view kPrefix[] = {"<7>", "<7>", "<6>", "<4>",
                                                       "<3>", "<2>", "<6>"};
        auto level = static_cast<std::size_t>(msg.level);
        std::string_view p = level < std::size(kPrefix) ? kPrefix[level] : "<6>";
        dest.append(p.data(), p.data() + p.size());
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<SyslogPriorityFlag>();
    }
};

}  // namespace

void setup_logging() {
    auto logger = spdlog::stderr_logger_st("jitd");
    if (std::getenv("JOURNAL_STREAM") != nullptr) {
        auto formatter = std::make_unique<spdlog::pattern_formatter>();
        formatter->add_flag<SyslogPriorityFlag>('*').set_pattern("%*%v");
        logger->set_formatter(std::move(formatter));
    } else {
        logger->set_pattern("jitd[%P]: %l: %v");
    }
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::info);
    spdlog::cfg::load_env_levels();  // SPDLOG_LEVEL=debug: one line per request
}

}  // namespace jitd::agent
