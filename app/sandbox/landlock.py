"""Landlock: the worker may create, change or delete files only in its scratch dir, and may
not signal or reach (abstract unix sockets) any process outside its own run.

The slot's mount namespace already hides what must stay secret; this layer closes what is
still writable by everyone (world-writable directories the namespace leaves visible) and is
enforced by the kernel per process, whatever the uid. Reading stays allowed wherever the
mount namespace lets the run see.
"""

from __future__ import annotations

import ctypes
import os
import struct

from app.sandbox.isolation import _libc

SYS_CREATE_RULESET = 444
SYS_ADD_RULE = 445
SYS_RESTRICT_SELF = 446
CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH = 1

WRITE_FILE = 1 << 1
REMOVE_DIR = 1 << 4
REMOVE_FILE = 1 << 5
MAKE_CHAR = 1 << 6
MAKE_DIR = 1 << 7
MAKE_REG = 1 << 8
MAKE_SOCK = 1 << 9
MAKE_FIFO = 1 << 10
MAKE_BLOCK = 1 << 11
MAKE_SYM = 1 << 12
REFER = 1 << 13  # ABI 2
TRUNCATE = 1 << 14  # ABI 3
SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0  # ABI 6
SCOPE_SIGNAL = 1 << 1  # ABI 6
SCOPES = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL

WRITES_ABI1 = (
    WRITE_FILE
    | REMOVE_DIR
    | REMOVE_FILE
    | MAKE_CHAR
    | MAKE_DIR
    | MAKE_REG
    | MAKE_SOCK
    | MAKE_FIFO
    | MAKE_BLOCK
    | MAKE_SYM
)


def abi_version() -> int:
    """The kernel's Landlock ABI, or 0 where Landlock is missing or disabled."""
    version = _libc.syscall(SYS_CREATE_RULESET, None, 0, CREATE_RULESET_VERSION)
    return max(0, int(version))


def restrict_writes_to(workdir: str, abi: int) -> None:
    """Apply the ruleset to this process and its future children (needs NO_NEW_PRIVS)."""
    handled = WRITES_ABI1 | (REFER if abi >= 2 else 0) | (TRUNCATE if abi >= 3 else 0)
    # struct landlock_ruleset_attr grew with the ABI: fs (1), net (4), scoped (6)
    fields = [handled, *([0] if abi >= 4 else []), *([SCOPES] if abi >= 6 else [])]
    attr = struct.pack(f"{len(fields)}Q", *fields)
    ruleset = _libc.syscall(SYS_CREATE_RULESET, attr, len(attr), 0)
    if ruleset < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset")
    try:
        _allow(ruleset, workdir, handled)
        _allow(ruleset, os.devnull, WRITE_FILE | (TRUNCATE if abi >= 3 else 0))
        if _libc.syscall(SYS_RESTRICT_SELF, ruleset, 0) != 0:
            raise OSError(ctypes.get_errno(), "landlock_restrict_self")
    finally:
        os.close(ruleset)


def _allow(ruleset: int, path: str, access: int) -> None:
    fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    try:
        if not os.path.isdir(path):
            access &= WRITE_FILE | TRUNCATE  # only file rights apply to a file
        rule = struct.pack("=Qi", access, fd)
        if _libc.syscall(SYS_ADD_RULE, ruleset, RULE_PATH_BENEATH, rule, 0) != 0:
            raise OSError(ctypes.get_errno(), f"landlock_add_rule {path}")
    finally:
        os.close(fd)
