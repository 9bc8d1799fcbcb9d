"""Stage 3, the rules: the registry (``registry.py``), the built-in families (one module each,
registered by ``builtin.py``) and the rule reference generated from them (``docs.py``)."""
