"""The server's pool of idle workers: walled-in workers, each waiting on its data socket.

The fork-server hands each worker that is ready to the server (IdleWorker + its socket);
a run takes one, writes its request straight into it, and only then says which run it gave
to which worker. A worker that went away while it waited shows as end-of-file on its
socket, and is skipped.
"""

from __future__ import annotations

import asyncio
import socket


class IdleWorkers:
    def __init__(self) -> None:
        self._queue: asyncio.Queue[tuple[int, socket.socket]] = asyncio.Queue()

    def __len__(self) -> int:
        return self._queue.qsize()

    def add(self, token: int, fd: int) -> None:
        sock = socket.socket(fileno=fd)
        sock.setblocking(False)
        self._queue.put_nowait((token, sock))

    async def take(self, wait_s: float) -> tuple[int, socket.socket] | None:
        """A live idle worker, waiting up to `wait_s` for one; None if none came."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_s
        while True:
            try:
                token, sock = await asyncio.wait_for(self._queue.get(), deadline - loop.time())
            except TimeoutError:
                return None
            if _alive(sock):
                return token, sock
            sock.close()

    def clear(self) -> None:
        """Forget every idle worker (the fork-server that made them is gone)."""
        while not self._queue.empty():
            _, sock = self._queue.get_nowait()
            sock.close()


def _alive(sock: socket.socket) -> bool:
    """An idle worker's socket has nothing to read unless its worker has gone (EOF)."""
    try:
        return bool(sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT))
    except BlockingIOError:
        return True
    except OSError:
        return False
