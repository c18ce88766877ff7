# fuzz_config: config::load_string over arbitrary text. toml++ is compiled header-only into axon_config here so
# that the fuzzer instruments the TOML parser too.
set(AXON_TOML_HEADER_ONLY ON)
add_subdirectory(${AXON_SRC}/config config)
axon_fuzz(config axon_config)
