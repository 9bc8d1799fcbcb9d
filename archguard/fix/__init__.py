"""The fix stage: applies the rules' autofixes (``check --fix``/``--diff``) and describes
them for the JSON and SARIF formats."""
