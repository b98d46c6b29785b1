#include "config_loading.hpp"

#include <iostream>

namespace vigil::daemon {

std::optional<config::vigil_config> load_configuration(const command_line& args,
                                                       std::string& source) {
    std::optional<std::filesystem::path> file;
    if (auto given = args.value("config")) {
        file = *given;
    } else {
        file = config::default_config_path();
    }
    config::vigil_config cfg = config::default_config();
    if (file) {
        auto loaded = config::load_config_file(*file);
        if (!loaded) {
            std::cerr << loaded.error().to_string();
            return std::nullopt;
        }
        cfg = std::move(*loaded);
        source = file->string();
    } else {
        source = "built-in defaults";
    }
    if (auto dir = args.value("data-dir")) {
        cfg.data_dir = *dir;
    }
    if (auto dir = args.value("rules-dir")) {
        cfg.rules_dir = *dir;
    }
    return cfg;
}

} // namespace vigil::daemon
