"""Write the edge configuration for a deployment: ``python -m edge.render --app …`` prints
``portal.conf`` (an http-level file for /etc/nginx/conf.d/) filled in for this site."""

import argparse
from pathlib import Path

from edge import ROOT, site_config


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", default="80", help="nginx listen parameters (default 80)")
    parser.add_argument("--server-name", default="_", help="the site's host name(s)")
    parser.add_argument(
        "--app",
        action="append",
        required=True,
        help="an app host's gunicorn: 10.0.0.11:8000 or unix:/run/portal.sock (repeatable)",
    )
    parser.add_argument("--cache-dir", default="/var/cache/nginx/portal")
    parser.add_argument("--cache-size", default="2g")
    parser.add_argument("--reads-log", default="/var/log/nginx/portal-reads.log")
    parser.add_argument("--access-log", default="/var/log/nginx/portal-access.log")
    parser.add_argument("--static-root", default=str(ROOT / "staticfiles"))
    parser.add_argument("--media-root", default=str(ROOT / "var" / "media"))
    parser.add_argument(
        "--purge-from",
        default="127.0.0.1 ::1",
        help="addresses or CIDR ranges of the app hosts, which send the purges",
    )
    args = parser.parse_args()
    print(
        site_config(
            listen=args.listen,
            server_name=args.server_name,
            app=";\n    server ".join(args.app),
            cache_dir=Path(args.cache_dir),
            cache_size=args.cache_size,
            reads_log=Path(args.reads_log),
            access_log=args.access_log,
            static_root=Path(args.static_root),
            media_root=Path(args.media_root),
            purge_from=args.purge_from,
        )
    )


if __name__ == "__main__":
    main()
