"""What an uploaded file is, from its bytes (never from its name or the client's Content-Type).

Accepted: PDF, images (PNG, JPEG, GIF, TIFF, WebP), office files (DOCX/XLSX/PPTX, legacy DOC/XLS/PPT/WPS, OFD) and
audio (MP3, WAV, M4A, AMR, OGG, FLAC). Anything else (HTML, scripts, executables, archives) is refused.
"""

from __future__ import annotations

import io
import zipfile

OOXML = {"word/": ("office", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
         "xl/": ("office", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
         "ppt/": ("office", "application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx")}
# extension -> the kind it claims; a file whose bytes say another kind is refused (a .pdf that is a script).
EXTENSION_KINDS = {
    "pdf": "pdf", "png": "image", "jpg": "image", "jpeg": "image", "gif": "image", "tif": "image", "tiff": "image",
    "webp": "image", "doc": "office", "docx": "office", "xls": "office", "xlsx": "office", "ppt": "office",
    "pptx": "office", "wps": "office", "et": "office", "ofd": "office", "mp3": "audio", "wav": "audio",
    "m4a": "audio", "amr": "audio", "ogg": "audio", "flac": "audio",
}


def sniff(data: bytes) -> tuple[str, str] | None:
    """(kind, media type) of the bytes, or None when they are not an accepted type."""
    head = data[:16]
    if head.startswith(b"%PDF-"):
        return "pdf", "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image", "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image", "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image", "image/gif"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image", "image/tiff"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image", "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio", "audio/wav"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "office", "application/x-ole-storage"   # DOC, XLS, PPT, WPS
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "audio", "audio/mpeg"
    if head[4:8] == b"ftyp" and head[8:11] in (b"M4A", b"mp4", b"iso", b"mp4", b"3gp"):
        return "audio", "audio/mp4"
    if head.startswith(b"#!AMR"):
        return "audio", "audio/amr"
    if head.startswith(b"OggS"):
        return "audio", "audio/ogg"
    if head.startswith(b"fLaC"):
        return "audio", "audio/flac"
    return None


def _zip_kind(data: bytes) -> tuple[str, str] | None:
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, ValueError):
        return None
    if "[Content_Types].xml" in names:
        for prefix, (kind, media, _ext) in OOXML.items():
            if any(n.startswith(prefix) for n in names):
                return kind, media
    if "OFD.xml" in names:
        return "office", "application/ofd"
    return None   # a plain ZIP is an archive of unknown content: refused


def extension_conflicts(filename: str, kind: str) -> bool:
    """Whether the name's extension claims another kind than the bytes are."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return ext in EXTENSION_KINDS and EXTENSION_KINDS[ext] != kind or ext not in EXTENSION_KINDS and ext != ""
