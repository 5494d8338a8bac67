"""Django's PostgreSQL backend, connecting to the embedded server (``portal.embedded_postgres``).

Settings name this backend and the data directory (``OPTIONS["data_dir"]``); the first
connection in a process starts the server, or finds it running, and connects through its Unix
socket. See "Subclassing the built-in database backends" in Django's documentation.
"""

import os
import subprocess
from pathlib import Path

from django.db.backends.postgresql import base, client

from portal import embedded_postgres


class DatabaseClient(client.DatabaseClient):
    """``manage.py dbshell`` with pgserver's own psql, on the embedded server's socket."""

    def runshell(self, parameters):
        settings_dict = {**self.connection.settings_dict, "HOST": self.connection.socket_dir()}
        args, env = self.settings_to_cmd_args_env(settings_dict, parameters)
        args[0] = str(embedded_postgres.bin_dir() / "psql")
        subprocess.run(args, env={**os.environ, **env} if env else None, check=True)


class DatabaseWrapper(base.DatabaseWrapper):
    client_class = DatabaseClient

    def socket_dir(self) -> str:
        """Start the embedded server if this process has not yet; return its socket directory."""
        return embedded_postgres.start(Path(self.settings_dict["OPTIONS"]["data_dir"]))

    def get_connection_params(self):
        params = super().get_connection_params()
        data_dir = params.pop("data_dir", None)
        if data_dir and not params.get("host"):  # unless HOST names another server
            params["host"] = embedded_postgres.start(Path(data_dir))
        return params
