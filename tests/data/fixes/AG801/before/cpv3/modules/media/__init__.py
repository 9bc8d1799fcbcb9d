"""Only a docstring: exempt, so untouched."""
