// Copyright 2026 The eventlet-cpp Authors.
#include "examples/flag_check.h"

#include <string_view>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/reflection.h"

namespace eventlet::examples {
namespace {

// Flags that change the parse itself, and the usage flags (--help and its
// kin), which Abseil handles without registering them.
bool left_to_abseil(std::string_view name) {
  for (std::string_view n :
       {"flagfile", "fromenv", "tryfromenv", "undefok", "help", "helpfull",
        "helpshort", "helppackage", "helpon", "helpmatch", "version",
        "only_check_args"}) {
    if (name == n) return true;
  }
  return false;
}

}  // namespace

std::string first_flag_error(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg.size() < 2 || arg[0] != '-') continue;
    arg.remove_prefix(arg[1] == '-' ? 2 : 1);
    const std::size_t eq = arg.find('=');
    const std::string name(arg.substr(0, eq));
    if (left_to_abseil(name)) return "";
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr) {
      // "--noflag" for a bool.
      absl::CommandLineFlag* negated =
          name.starts_with("no") ? absl::FindCommandLineFlag(name.substr(2))
                                 : nullptr;
      if (negated != nullptr && negated->IsOfType<bool>() &&
          eq == std::string_view::npos)
        continue;
      return "unknown flag --" + name;
    }
    std::string value;
    if (eq != std::string_view::npos) {
      value = std::string(arg.substr(eq + 1));
    } else if (flag->IsOfType<bool>()) {
      continue;
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return "missing value for flag --" + name;
    }
    std::string error;
    if (!flag->ParseFrom(value, &error))
      return "--" + name + "=" + value + ": " + error;
  }
  return "";
}

}  // namespace eventlet::examples
