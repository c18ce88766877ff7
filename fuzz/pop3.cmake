# POP3 core fuzz targets (sans-I/O: the pop3 sources, the SASL pieces and OpenMessage, over axon_core).
# Seeds: corpus/pop3_command/, corpus/pop3_session/.
add_library(axon_fuzz_pop3 STATIC
  ${AXON_SRC}/pop3/command.cpp ${AXON_SRC}/pop3/line_reader.cpp ${AXON_SRC}/pop3/message_stream.cpp
  ${AXON_SRC}/pop3/reply.cpp ${AXON_SRC}/pop3/session.cpp ${AXON_SRC}/pop3/authorization.cpp
  ${AXON_SRC}/pop3/transaction.cpp ${AXON_SRC}/auth/sasl.cpp ${AXON_SRC}/store/mail_store.cpp)
target_link_libraries(axon_fuzz_pop3 PUBLIC axon_core)
axon_fuzz(pop3_command axon_fuzz_pop3)
axon_fuzz(pop3_session axon_fuzz_pop3)
