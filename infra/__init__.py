"""Development and operations helpers that are not part of the web application itself."""
