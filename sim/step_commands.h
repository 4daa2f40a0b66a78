// Copyright 2026 The eventlet-cpp Authors.
//
// step_commands.h: the stepper's command table. Each command has a name,
// aliases, a usage line, help text and a handler that runs it on a Stepper
// (sim/step.h) and writes its output. Stepper::execute looks a line's first
// word up here; help lists the table in order.
#ifndef EVENTLET_SIM_STEP_COMMANDS_H_
#define EVENTLET_SIM_STEP_COMMANDS_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace eventlet::sim {

class Stepper;

struct StepCommand {
  std::string_view name;
  std::vector<std::string_view> aliases;
  std::string_view usage;  // "n, next [N]"
  std::string_view help;   // one line, or more with '\n'
  // words[0] is the command as typed. Returns false to leave the stepper.
  bool (*run)(Stepper& stepper, const std::vector<std::string>& words,
              std::ostream& out);
};

// The table, in help's order. Built once; lives for the program.
const std::vector<StepCommand>& step_commands();
// The command named or aliased `word`; nullptr when none.
const StepCommand* find_step_command(std::string_view word);
// help's text: every command's usage and help.
std::string step_commands_help();

// Argument parsers shared by the commands and breakpoint specs; false on
// anything else.
// A decimal integer, optionally negative.
bool parse_step_int(const std::string& s, std::int64_t* out);
// A greenthread: a number, "main" (0) or "hub" (-1).
bool parse_step_gt(const std::string& s, std::int64_t* out);
// Seconds ("0.005", "5ms", "5us", "5ns", "2s") to ns.
bool parse_step_seconds(const std::string& s, std::int64_t* out);

}  // namespace eventlet::sim

#endif  // EVENTLET_SIM_STEP_COMMANDS_H_
