# fuzz_spool_recovery: spool recovery over damaged segments. The queue's spool sources are compiled here (without
# the router, which needs the store), with the libraries they use.
find_package(Threads REQUIRED)
find_package(ZLIB REQUIRED)
find_package(spdlog REQUIRED)
find_package(nlohmann_json REQUIRED)
add_library(axon_fuzz_spool STATIC
  ${AXON_SRC}/queue/spool.cpp ${AXON_SRC}/queue/recovery.cpp ${AXON_SRC}/queue/record.cpp
  ${AXON_SRC}/queue/intake.cpp ${AXON_SRC}/queue/ids.cpp ${AXON_SRC}/queue/spool_files.cpp
  ${AXON_SRC}/core/fileio.cpp)
target_link_libraries(axon_fuzz_spool PUBLIC axon_core spdlog::spdlog nlohmann_json::nlohmann_json ZLIB::ZLIB
                      Threads::Threads)
axon_fuzz(spool_recovery axon_fuzz_spool)
