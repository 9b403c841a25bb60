"""target-pardot-import."""
