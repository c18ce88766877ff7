# SMTP core fuzz targets (sans-I/O: they link axon_smtp and axon_core only). Seeds: corpus/smtp_*/.
add_subdirectory(${AXON_SRC}/smtp smtp)
axon_fuzz(smtp_command axon_smtp)
axon_fuzz(smtp_body axon_smtp)
axon_fuzz(smtp_session axon_smtp)
