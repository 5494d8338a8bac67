"""``python -m portal.embedded_postgres start|stop|status`` (``make start-db`` / ``make stop-db``).

Works on ``EMBEDDED_PG_DIR`` (default ``var/pgdata``) without loading Django's settings, so it
needs no SECRET_KEY.
"""

import argparse
import os
import sys

from portal import embedded_postgres


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m portal.embedded_postgres")
    parser.add_argument("action", choices=["start", "stop", "status", "hint"])
    action = parser.parse_args(argv).action
    data_dir = embedded_postgres.data_dir_from_environment()
    shown = os.path.relpath(data_dir)
    if action == "start":
        socket_dir = embedded_postgres.start(data_dir)
        print(f"Embedded PostgreSQL running ({shown}, socket in {socket_dir}).")
    elif action == "stop":
        if embedded_postgres.stop(data_dir):
            print(f"Embedded PostgreSQL stopped ({shown}).")
        else:
            print(f"Embedded PostgreSQL was not running ({shown}).")
    else:
        pid = embedded_postgres.running_pid(data_dir)
        if action == "status":
            print(f"running, pid {pid}" if pid else "not running")
            return 0 if pid else 3
        # "hint": after `make run`, say in one line what is still running and how to stop it.
        if pid and not os.environ.get("DATABASE_URL"):
            print(
                f"The embedded PostgreSQL ({shown}, pid {pid}) is still running; "
                "`make stop-db` stops it."
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
