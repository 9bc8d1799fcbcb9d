"""The pattern pass: the semgrep binary, rule loading (shipped and custom), the semgrep
process, its per-file cache, and the scan beside or after the native pass.
"""
