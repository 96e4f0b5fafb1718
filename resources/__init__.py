"""Bundled examples, the file-format schema and fonts (installed as gradviz.resources)."""
