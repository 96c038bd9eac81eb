"""Receiving a multipart upload: streamed to a file under the owner's directory, never held in
memory, refused with 413 as soon as it is too big (before reading a byte when Content-Length says
so, else while streaming).

The file is written under a name the server chose; the client's file name is kept only as text to
show back to its owner.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from python_multipart import FormParser
from python_multipart.multipart import Field, File, parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from c360_api.exceptions import C360Error, InvalidParameterError

FILE_FIELD = "file"
FORM_ALLOWANCE = 64 * 1024
"""Bytes of the body allowed beyond the size limit, for the form's other fields and framing."""
MAX_FIELD_BYTES = 16 * 1024


class PayloadTooLargeError(C360Error):
    status_code = 413
    error_type = "payload_too_large"
    description = "The upload is larger than the configured limit (C360_UPLOAD_MAX_BYTES)."


@dataclass
class ReceivedForm:
    path: Path | None = None  # the file, under the directory the server chose
    file_name: str = ""  # as the client named it, for display only
    size: int = 0
    fields: dict[str, str] = field(default_factory=dict)


def too_large(limit: int) -> PayloadTooLargeError:
    return PayloadTooLargeError(
        f"The upload is larger than the limit of {limit:,} bytes", limit_bytes=limit
    )


def check_declared_size(request: Request, limit: int) -> None:
    """413 at once when Content-Length already says the body is too big."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit + FORM_ALLOWANCE:
        raise too_large(limit)


async def receive_form(request: Request, directory: Path, target: str, limit: int) -> ReceivedForm:
    """Stream the multipart body: the `file` part to `directory/target`, the other parts as text
    fields. Raises 413 past `limit`, 422 for a body that is not multipart."""
    check_declared_size(request, limit)
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data" or b"boundary" not in params:
        raise InvalidParameterError(
            "Send the file as multipart/form-data (curl -F file=@sales.csv)", parameter="file"
        )
    directory.mkdir(parents=True, exist_ok=True)
    form = ReceivedForm()
    files: list[File] = []

    def on_field(part: Field) -> None:
        name = (part.field_name or b"").decode("utf-8", "replace")
        value = (part.value or b"").decode("utf-8", "replace")
        if len(value) > MAX_FIELD_BYTES:
            raise InvalidParameterError(f"Form field {name} is too long", parameter=name)
        form.fields[name] = value

    def on_file(part: File) -> None:
        files.append(part)

    parser = FormParser(
        "multipart/form-data",
        on_field,
        on_file,
        boundary=params[b"boundary"],
        config={
            "UPLOAD_DIR": str(directory),
            "UPLOAD_KEEP_FILENAME": False,
            "UPLOAD_DELETE_TMP": False,
            "MAX_MEMORY_FILE_SIZE": 0,
        },
    )
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit + FORM_ALLOWANCE:
                raise too_large(limit)
            await run_in_threadpool(parser.write, chunk)
        await run_in_threadpool(parser.finalize)
    except BaseException:
        for part in files:
            _discard(part)
        raise
    for part in files:
        if part.field_name == FILE_FIELD.encode() and form.path is None:
            form.path = directory / target
            if part.in_memory:  # an empty file never reached the disk
                part.file_object.seek(0)
                form.path.write_bytes(part.file_object.read())
            part.close()
            if part.size > limit:
                _discard(part)
                form.path.unlink(missing_ok=True)
                raise too_large(limit)
            if not part.in_memory:
                os.replace(_disk_path(part), form.path)
            form.file_name = (part.file_name or b"upload.csv").decode("utf-8", "replace")[:255]
            form.size = part.size
        else:
            _discard(part)
    return form


def _disk_path(part: File) -> str:
    name = part.actual_file_name
    return name.decode() if isinstance(name, bytes) else str(name)


def _discard(part: File) -> None:
    with contextlib.suppress(OSError):
        part.close()
        if not part.in_memory:
            os.unlink(_disk_path(part))
