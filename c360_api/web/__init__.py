"""The web app: the dashboard, server-rendered from the catalogue, and its static files."""
