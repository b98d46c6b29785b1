#include "report_command.hpp"

#include "alert/alert_store.hpp"
#include "config_loading.hpp"
#include "core/clock.hpp"
#include "report/report_request.hpp"

#include <iostream>

namespace vigil::daemon {

int run_report_command(const command_line& args) {
    std::string source;
    auto cfg = load_configuration(args, source);
    if (!cfg) {
        return 2;
    }
    std::vector<std::pair<std::string, std::string>> parameters;
    for (auto name : report::report_parameters()) {
        if (auto value = args.value(std::string(name))) {
            parameters.emplace_back(name, *value);
        }
    }
    const std::int64_t now_ms = core::system_clock::instance().now_ms();
    auto request = report::read_report_request(parameters, now_ms, report::report_format::md);
    if (!request) {
        std::cerr << "vigil report: --" << request.error() << "\n";
        return 2;
    }
    auto store = alert::alert_store::open(cfg->data_dir, alert::alert_store::mode::read_only);
    if (!store) {
        std::cerr << "vigil report: " << store.error() << "\n";
        return 1;
    }
    auto built = report::build_report(**store, request->tenant, request->period, now_ms);
    if (!built) {
        std::cerr << "vigil report: " << built.error() << "\n";
        return 1;
    }
    std::cout << report::render(*built, request->format);
    return 0;
}

} // namespace vigil::daemon
