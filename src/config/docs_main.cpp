// axon_config_docs: prints docs/configuration.md, generated from the config schema, to stdout or to the file
// named by its one argument. The build target config_docs runs it to refresh the repository's copy.
#include <cstdio>
#include <fstream>
#include <iostream>

#include "config/config.h"

int main(int argc, char** argv) {
  std::string md = axon::config::render_markdown();
  if (argc < 2) {
    std::cout << md;
    return std::cout ? 0 : 1;
  }
  std::ofstream out(argv[1], std::ios::binary | std::ios::trunc);
  out << md;
  out.close();
  if (!out) {
    std::fprintf(stderr, "axon_config_docs: cannot write %s\n", argv[1]);
    return 1;
  }
  return 0;
}
