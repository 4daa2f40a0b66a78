// Copyright 2026 The eventlet-cpp Authors.
//
// step_line_editor.h: the stepper's command lines from a terminal, with line
// editing and history (libedit, through its readline API): Left/Right move
// in the line, Up/Down recall earlier lines, Ctrl-D at an empty prompt ends
// the input. //sim:step uses it only when stdin is a terminal; piped input
// goes through StreamLineSource (sim/step.h).
#ifndef EVENTLET_SIM_STEP_LINE_EDITOR_H_
#define EVENTLET_SIM_STEP_LINE_EDITOR_H_

#include <string>

#include "sim/step.h"

namespace eventlet::sim {

// libedit's readline state is global: one LineEditor at a time. History
// holds the last kMaxHistory non-empty lines of this session (not saved).
class LineEditor : public LineSource {
 public:
  static constexpr int kMaxHistory = 1000;

  LineEditor();
  ~LineEditor() override;
  LineEditor(const LineEditor&) = delete;
  LineEditor& operator=(const LineEditor&) = delete;

  // Flushes std::cout, shows `prompt` on stdout, edits a line on stdin.
  bool read_line(const std::string& prompt, std::string* line) override;
};

}  // namespace eventlet::sim

#endif  // EVENTLET_SIM_STEP_LINE_EDITOR_H_
