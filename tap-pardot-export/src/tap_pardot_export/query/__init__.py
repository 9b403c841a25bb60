"""Query streams: objects the Export API does not cover, read by high-water-mark bulk queries."""
