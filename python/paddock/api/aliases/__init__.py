"""One Router per seed whose documented paths differ from the native API, over the same handlers."""
