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
    if (auto dir = args.value("schemas-dir")) {
        cfg.schemas_dir = *dir;
    } else if (std::error_code ec; !std::filesystem::is_directory(cfg.schemas_dir, ec)) {
        std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
        for (const auto& candidate :
             {exe.parent_path() / "../../schemas", exe.parent_path() / "../share/vigil/schemas"}) {
            if (std::filesystem::is_directory(candidate, ec)) {
                cfg.schemas_dir = std::filesystem::weakly_canonical(candidate, ec);
                break;
            }
        }
    }
    return cfg;
}

} // namespace vigil::daemon
