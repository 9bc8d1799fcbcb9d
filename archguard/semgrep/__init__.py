"""The pattern pass: the semgrep binary, rule loading (shipped and custom), the semgrep
process, its per-file cache, and the scan that overlaps the native pass.
"""
