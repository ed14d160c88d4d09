"""Real peers for the HTTP interop tests: Node clients, nginx config, a measured server."""
