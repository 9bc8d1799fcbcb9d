#!/usr/bin/env python3
# -*- coding: utf-8 -*-
# Copyright header comment.
"""Media service."""

from __future__ import annotations

import os


def size(path: str) -> int:
    return os.path.getsize(path)
