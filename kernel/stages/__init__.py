"""The stages: each turns tasks into candidates written to the trace, in a process of its own
(`process.stage_main`). Which stages exist, and their runners, is kernel.pipeline's table."""
