"""What findings become: suppression comments, baselines, the finished ``CheckReport`` and the
output formats (``emitters``).
"""
