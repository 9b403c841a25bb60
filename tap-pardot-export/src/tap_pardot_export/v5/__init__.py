"""v5 streams: objects only Pardot's v5 objects API has, read by a high-water mark."""
