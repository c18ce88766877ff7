axon_fuzz(address axon_core)
