"""tap-pardot-export."""
