"""Runs localstripe (a stateful Stripe emulator, PyPI `localstripe`) on the loopback interface only.

Usage: python ops/localstripe.py --port-file FILE [--port N]

localstripe's own CLI binds `::` (every interface); this launcher binds 127.0.0.1 instead, on the given port
or, with the default 0, on a free port that the kernel picks (no race between choosing and binding). The
port actually bound is written to --port-file once the socket listens, for ops/localstripe.sh to read.

The store lives in memory only: localstripe normally pickles it after every write to the fixed path
/tmp/localstripe.pickle, which every localstripe on the machine would share (and which costs time growing
with the store on each write). Tests never reload it, so the dump (and the load at start) is turned off here.

Lists read one kind of object, not the whole store: localstripe finds a kind's objects by scanning every object
it holds, and it lists a customer's subscriptions to answer any request for the customer, so with the benchmarks'
tens of thousands of customers and events each `GET /v1/customers/{id}` cost ~10 ms of CPU and grew with the
store (Stripe answers it in constant time). The store here keeps, next to itself, its objects by kind in the
same insertion order, and the base list reads those; every list still filters and pages as localstripe does.
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
    localstripe.resources.Store.try_load_from_disk = lambda self: None
    index_store_by_kind(localstripe.resources)

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


def index_store_by_kind(resources) -> None:
    """Keeps the store's objects by kind (`customer`, `event`, …) and lists a kind from there (see above)."""
    by_kind: dict = {}

    def kind(key):
        # Singletons (the balance) are stored under their kind alone, and never listed.
        return key.split(":", 1)[0] if ":" in key else None

    def set_item(store, key, value):
        dict.__setitem__(store, key, value)
        if kind(key) is not None:
            by_kind.setdefault(kind(key), {})[key] = value

    def del_item(store, key):
        dict.__delitem__(store, key)
        by_kind.get(kind(key), {}).pop(key, None)

    def clear(store):
        dict.clear(store)
        by_kind.clear()

    def list_all(cls, url, limit=None, starting_after=None, **kwargs):
        if kwargs:
            raise resources.UserError(400, "Unexpected " + ", ".join(kwargs.keys()))
        listed = resources.List(url, limit=limit, starting_after=starting_after)
        listed._list = list(by_kind.get(cls.object, {}).values())
        return listed

    resources.Store.__setitem__ = set_item
    resources.Store.__delitem__ = del_item
    resources.Store.clear = clear
    resources.StripeObject._api_list_all = classmethod(list_all)


if __name__ == "__main__":
    main()
