"""The tap's Singer output: a buffered msgspec writer and the fast RECORD path into it."""
