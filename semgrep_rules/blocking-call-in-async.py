# Test cases for semgrep_rules/blocking-call-in-async.yaml (AG701).
# Run: semgrep --test semgrep_rules/
from __future__ import annotations

import asyncio
import os
import subprocess
import time
import urllib.request
from pathlib import Path
from subprocess import check_output
from time import sleep

import aiofiles
import anyio
import httpx
import requests
import requests as rq
from fastapi import Depends

from cpv3.infrastructure.settings import get_settings

ERROR_RENDER_FAILED = "Render failed"


async def fetch_render_status(job_id: int) -> dict:
    url = get_settings().remotion_url
    # ruleid: blocking-call-in-async
    response = requests.get(f"{url}/jobs/{job_id}")
    # ruleid: blocking-call-in-async
    rq.post(url, json={"job": job_id})
    # ruleid: blocking-call-in-async
    with requests.Session() as http:
        http.get(url)
    # ruleid: blocking-call-in-async
    raw = urllib.request.urlopen(url).read()
    # ruleid: blocking-call-in-async
    httpx.get(url)
    # ruleid: blocking-call-in-async
    with httpx.Client() as client:
        client.get(url)
    # ok: blocking-call-in-async
    async with httpx.AsyncClient() as client:
        await client.get(url)
    # ok: blocking-call-in-async
    timeout = httpx.Timeout(10.0)
    return {"response": response, "raw": raw, "timeout": timeout}


async def wait_for_render() -> None:
    # ruleid: blocking-call-in-async
    time.sleep(1)
    # ruleid: blocking-call-in-async
    sleep(0.5)
    # ok: blocking-call-in-async
    await asyncio.sleep(1)
    # ok: blocking-call-in-async
    await anyio.sleep(1)


async def read_media(media_dir: Path, name: str) -> bytes:
    # ruleid: blocking-call-in-async
    with open(media_dir / name, "rb") as fh:
        data = fh.read()
    # ruleid: blocking-call-in-async
    text = Path("/srv/media/index.txt").read_text()
    # ruleid: blocking-call-in-async
    (media_dir / "out.bin").write_bytes(data)
    # ruleid: blocking-call-in-async
    media_dir.write_text(text)
    # ruleid: blocking-call-in-async
    with Path(name).open() as fh2:
        fh2.read()
    # ok: blocking-call-in-async
    async with await anyio.open_file(media_dir / name, "rb") as afh:
        data = await afh.read()
    # ok: blocking-call-in-async
    async with aiofiles.open(media_dir / name) as afh2:
        await afh2.read()
    # ok: blocking-call-in-async
    text = await anyio.Path(media_dir / name).read_text()
    return data


async def transcode(path: str) -> None:
    # ruleid: blocking-call-in-async
    subprocess.run(["ffmpeg", "-i", path], check=True)
    # ruleid: blocking-call-in-async
    check_output(["ffprobe", path])
    # ruleid: blocking-call-in-async
    proc = subprocess.Popen(["ffmpeg", path])
    # ruleid: blocking-call-in-async
    os.system("sync")
    # ok: blocking-call-in-async
    aproc = await asyncio.create_subprocess_exec("ffmpeg", "-i", path)
    await aproc.wait()
    proc.wait()


async def render_in_thread(path: str) -> bytes:
    def _read_file() -> bytes:
        # ok: blocking-call-in-async
        time.sleep(0.1)
        # ok: blocking-call-in-async
        with open(path, "rb") as fh:
            return fh.read()

    # ok: blocking-call-in-async
    await anyio.to_thread.run_sync(lambda: time.sleep(0.1))
    # ok: blocking-call-in-async
    await anyio.to_thread.run_sync(lambda p=path: subprocess.run(["ffmpeg", p]))
    return await anyio.to_thread.run_sync(_read_file)


def sync_helper(path: str) -> str:
    # ok: blocking-call-in-async
    time.sleep(1)
    # ok: blocking-call-in-async
    with open(path) as fh:
        return fh.read()


def require_role(role: str):  # a sync dependency factory returning an async dependency
    async def checker(user: dict = Depends(dict)) -> dict:
        # ruleid: blocking-call-in-async
        requests.get(get_settings().auth_url)

        def nested_sync() -> None:
            # ok: blocking-call-in-async
            time.sleep(1)

        nested_sync()
        return user

    return checker


class RenderService:
    async def poll(self) -> None:
        # ruleid: blocking-call-in-async
        time.sleep(2)

    def poll_sync(self) -> None:
        # ok: blocking-call-in-async
        time.sleep(2)

    async def fail(self) -> None:
        # ok: blocking-call-in-async
        raise requests.HTTPError(ERROR_RENDER_FAILED)
