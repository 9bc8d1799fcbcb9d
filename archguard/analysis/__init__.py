"""Stage 2, per file and per project facts: parse once, index the nodes, collect the facts the
rules query, the shared recognisers (FastAPI, SQLAlchemy, Pydantic patterns, queries, soft
delete), the per-file context and the ``Project`` view over every file's facts.
"""
