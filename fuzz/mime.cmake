# fuzz_mime: the MIME parser, rendering, sections, serialization and decoders (sans-I/O: axon_mime and
# axon_core). Seeds: corpus/mime/ (the unit test corpus, with the two leading control octets); mime.dict.
add_subdirectory(${AXON_SRC}/mime mime)
axon_fuzz(mime axon_mime)
