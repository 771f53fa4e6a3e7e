"""工作专班: several departments on one matter, its members, progress log and close."""
