// Copyright 2026 The eventlet-cpp Authors.
#include "sim/step_line_editor.h"

#include <cstdio>  // before readline.h, which uses FILE without it
#include <cstdlib>
#include <iostream>

#include "editline/readline.h"

namespace eventlet::sim {

LineEditor::LineEditor() {
  using_history();
  stifle_history(kMaxHistory);
}

LineEditor::~LineEditor() { clear_history(); }

bool LineEditor::read_line(const std::string& prompt, std::string* line) {
  std::cout.flush();
  char* text = readline(prompt.c_str());
  if (text == nullptr) return false;
  *line = text;
  std::free(text);
  if (line->find_first_not_of(" \t") != std::string::npos) {
    add_history(line->c_str());
  }
  return true;
}

}  // namespace eventlet::sim
