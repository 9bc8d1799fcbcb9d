"""The native pass: per-file analysis (parse, facts, file rules), the process pool, the
per-file cache, and the project pass with suppressions applied.
"""
