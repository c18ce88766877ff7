# IMAP syntax fuzz target (sans-I/O: links axon_imap_syntax and axon_core only). Seeds: corpus/imap_command/,
# dictionary: imap_command.dict.
add_subdirectory(${AXON_SRC}/imap imap)
axon_fuzz(imap_command axon_imap_syntax)
