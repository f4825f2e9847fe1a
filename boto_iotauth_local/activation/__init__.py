"""How the emulator is switched on: process-wide, per session or per client."""
