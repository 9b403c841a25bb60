"""Export streams: windows of rows pulled through Pardot's asynchronous Export API."""
