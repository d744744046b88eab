"""Serve one baseline under the service's own gunicorn settings.

python -m bench.serve 'prepared_bytes(120000)' --bind 127.0.0.1:9001 --workers 5
"""

from __future__ import annotations

import argparse

from bench import baselines
from service.serve import serve


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("baseline", help="a call of a factory in bench.baselines")
    parser.add_argument("--bind", required=True)
    parser.add_argument("--workers", type=int, required=True)
    args = parser.parse_args()
    factories = {name: getattr(baselines, name) for name in baselines.__all__}
    serve(lambda: eval(args.baseline, {"__builtins__": {}}, factories), args.bind, args.workers)


if __name__ == "__main__":
    main()
