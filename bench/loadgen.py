"""HTTP load from a process of its own: `python -m bench.loadgen --port P --hosts h1,h2 ...`.

Standard library only (no Django), so the load generator costs the machine little. C threads
send GET requests of a read mix to 127.0.0.1:P, each with the Host header of a portal taken
round-robin, one connection per request (gunicorn's sync workers close it anyway), for S
seconds or, with `--once`, one request per host; `--path` sends every request to that path.
Prints one JSON object: the latencies in seconds of the answered requests, the count of errors
(any status but 200, or no answer) and the first few errors' descriptions.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import sys
import threading
import time

# A visitor's reads: the start page most, then the accessibility statement and the login and
# sign-up forms (a new portal has no Impressum or privacy page yet: those are 404).
READ_MIX = (
    ("/", 6),
    ("/barrierefreiheit/", 2),
    ("/accounts/login/", 1),
    ("/accounts/signup/", 1),
)


def _paths():
    return itertools.cycle([path for path, weight in READ_MIX for _ in range(weight)])


def get(port: int, host: str, path: str, timeout: float = 30) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Host": host})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.loadgen")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--hosts", required=True, help="comma-separated Host headers")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--once", action="store_true", help="one GET / per host, then stop")
    parser.add_argument("--path", help="GET only this path (default: the read mix)")
    args = parser.parse_args(argv)
    hosts = args.hosts.split(",")
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    if args.once:
        work = iter([(host, "/") for host in hosts])
    else:
        paths = itertools.repeat(args.path) if args.path else _paths()
        work = zip(itertools.cycle(hosts), paths, strict=False)
    deadline = time.perf_counter() + args.seconds

    def worker():
        while args.once or time.perf_counter() < deadline:
            with lock:
                item = next(work, None)
            if item is None:
                return
            host, path = item
            started = time.perf_counter()
            try:
                status = get(args.port, host, path)
                problem = None if status == 200 else f"{status} {host}{path}"
            except OSError as exc:
                problem = f"{type(exc).__name__} {host}{path}: {exc}"
            seconds = time.perf_counter() - started
            with lock:
                if problem:
                    errors.append(problem)
                else:
                    latencies.append(seconds)

    threads = [threading.Thread(target=worker) for _ in range(args.concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    json.dump(
        {
            "seconds": time.perf_counter() - started,
            "latencies": latencies,
            "errors": len(errors),
            "first_errors": errors[:5],
        },
        sys.stdout,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
