// Copyright 2026 The eventlet-cpp Authors.
//
// corpus_main.cc: a main() for fuzz targets built without libFuzzer. Runs
// LLVMFuzzerTestOneInput once on every file named on the command line (a
// directory stands for the regular files in it, sorted by name), printing
// each name first, so a crash shows which input did it.
//
// Exit status: 0 when every input ran; 1 when no input was found or a file
// could not be read (a corpus that went missing must not pass silently). A
// crash in the target ends the process the way the crash does.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size);

namespace {

// The files `arg` names: itself, or a directory's regular files, sorted.
std::vector<std::filesystem::path> inputs_of(const std::filesystem::path& arg) {
  std::error_code ec;
  if (!std::filesystem::is_directory(arg, ec)) return {arg};
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(arg, ec)) {
    if (entry.is_regular_file(ec)) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t ran = 0;
  for (int i = 1; i < argc; ++i) {
    for (const std::filesystem::path& path : inputs_of(argv[i])) {
      std::ifstream in(path, std::ios::binary);
      if (!in) {
        std::fprintf(stderr, "corpus_main: cannot read %s\n", path.c_str());
        return 1;
      }
      const std::string data((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
      std::fprintf(stderr, "corpus_main: %s (%zu bytes)\n", path.c_str(),
                   data.size());
      LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(data.data()),
                             data.size());
      ++ran;
    }
  }
  if (ran == 0) {
    std::fprintf(stderr, "corpus_main: no inputs found\n");
    return 1;
  }
  std::fprintf(stderr, "corpus_main: %zu inputs ran\n", ran);
  return 0;
}
