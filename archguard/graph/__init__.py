"""The module graph built from the facts (layers, re-exports, cycles) and its renderers
(Mermaid, dot, JSON).
"""
