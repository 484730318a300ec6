"""Runs localstripe (a stateful Stripe emulator, PyPI `localstripe`) on the loopback interface only.

Usage: python ops/localstripe.py --port-file FILE [--port N]

localstripe's own CLI binds `::` (every interface); this launcher binds 127.0.0.1 instead, on the given port
or, with the default 0, on a free port that the kernel picks (no race between choosing and binding). The
port actually bound is written to --port-file once the socket listens, for ops/localstripe.sh to read.

The store lives in memory only: localstripe normally pickles it after every write to the fixed path
/tmp/localstripe.pickle, which every localstripe on the machine would share (and which costs time growing
with the store on each write). Tests never reload it, so the dump is turned off here.
"""

import argparse
import logging
import os
import socket
import sys

# This file's own name would shadow the `localstripe` package: drop its folder from the import path.
_here = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or os.curdir) != _here]

from aiohttp import web  # noqa: E402
import localstripe.resources  # noqa: E402
import localstripe.server  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", required=True)
    args = parser.parse_args()

    localstripe.resources.Store.dump_to_disk = lambda self: None

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    port = sock.getsockname()[1]

    async def write_port_file(_app: web.Application) -> None:
        temporary = args.port_file + ".tmp"
        with open(temporary, "w") as handle:
            handle.write(f"{port}\n")
        os.replace(temporary, args.port_file)

    app = localstripe.server.app
    app.on_startup.append(write_port_file)

    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    web.run_app(app, sock=sock, access_log=logging.getLogger("aiohttp.access"), print=None)


if __name__ == "__main__":
    main()
