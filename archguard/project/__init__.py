"""Stage 1, the project: where it is, how it is configured (``[tool.archguard]``), its
module folders on disk, the files changed since a git revision, and ``archguard init``.
"""
