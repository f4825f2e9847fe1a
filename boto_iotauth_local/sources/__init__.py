"""Where worlds come from, each source a module that builds a World through its public writers:
world files (:mod:`.worldfile`) and moto's live IoT state (:mod:`.moto`)."""
