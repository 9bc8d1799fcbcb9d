"""The pipeline put together: ``run_check`` / ``check_sources`` (the library API), the
progress bar, ``archguard baseline`` and ``archguard graph``.
"""
