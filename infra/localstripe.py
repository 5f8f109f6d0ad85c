"""localstripe (the fake Stripe of tests and the demo) with its store kept in memory.

The stock server rewrites /tmp/localstripe.pickle, one file shared by every localstripe on the
machine, after each change: slow as the store grows, and a second server that reads it while
another writes it fails to start. Ours never touches the disk; each process starts empty.

Command line: `python -m infra.localstripe --port PORT` (the arguments of localstripe's own).
"""

from __future__ import annotations


def main() -> None:
    from localstripe import resources, server

    resources.Store.dump_to_disk = lambda self: None
    resources.Store.try_load_from_disk = lambda self: None
    server.start()


if __name__ == "__main__":
    main()
