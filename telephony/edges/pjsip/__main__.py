"""The reference PJSIP edge (docs/telephony-api.md). Settings come from TELEPHONY_* environment variables.

python -m telephony.edges.pjsip                  # manager: starts TELEPHONY_EDGE_WORKERS workers
python -m telephony.edges.pjsip worker --index 0 # one worker (the manager runs these)
python -m telephony.edges.pjsip address          # the SIP address citizens dial
python -m telephony.edges.pjsip dispatcher-list  # Kamailio dispatcher.list for the workers
"""

import argparse
import logging
import os
import sys

from .config import EdgeConfigError, EdgeSettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m telephony.edges.pjsip", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command")
    worker = commands.add_parser("worker", help="run one worker process")
    worker.add_argument("--index", type=int, default=0)
    commands.add_parser("address", help="print the SIP address to call")
    commands.add_parser("dispatcher-list", help="print a Kamailio dispatcher.list for the workers")
    arguments = parser.parse_args(argv)

    logging.basicConfig(
        level=os.getenv("LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s[%(process)d] %(message)s",
    )
    try:
        settings = EdgeSettings.from_env()
    except EdgeConfigError as error:
        print(f"telephony edge: {error}", file=sys.stderr)
        return 2
    if arguments.command == "address":
        print(settings.public_address())
        return 0
    if arguments.command == "dispatcher-list":
        print(settings.dispatcher_list(), end="")
        return 0
    if arguments.command == "worker":
        if not 0 <= arguments.index < settings.workers:
            print(f"telephony edge: --index must be below TELEPHONY_EDGE_WORKERS={settings.workers}", file=sys.stderr)
            return 2
        from .worker import run_worker  # imports pjsua2, which the other commands do not need

        run_worker(settings.for_worker(arguments.index))
        return 0
    from .manager import run_manager

    return run_manager(settings)


if __name__ == "__main__":
    sys.exit(main())
