"""Migration scripts, one revision each; self-contained (they import nothing from models)."""
