"""`make test` and `make bench` set up what they need on a fresh Debian machine."""

import subprocess

from tests.servers import ROOT


def make(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "-s", *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_root_installs_only_the_missing_system_packages_in_one_apt_call():
    result = make(
        "system-deps",
        "SYSTEM_PACKAGES=make no-such-package-a no-such-package-b",
        "APT_GET=echo apt-get",
        "AS_ROOT=yes",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Installing no-such-package-a no-such-package-b",
        "apt-get update -qq",
        "apt-get install -y -qq no-such-package-a no-such-package-b",
    ]


def test_anyone_else_is_told_in_one_line_what_to_install():
    result = make(
        "system-deps", "SYSTEM_PACKAGES=make no-such-package-a", "APT_GET=false", "AS_ROOT="
    )
    assert result.returncode != 0
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == (
        "Missing system packages; as root run: apt-get install -y no-such-package-a"
    )


def test_nothing_is_installed_when_nothing_is_missing():
    result = make("system-deps", "SYSTEM_PACKAGES=make", "APT_GET=false", "AS_ROOT=yes")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_make_test_and_make_bench_install_and_start_what_they_need():
    test_steps = make("-n", "test").stdout
    assert "chromium fonts-noto-cjk redis-server nginx libnginx-mod-http-cache-purge" in test_steps
    assert "redis-server --bind 127.0.0.1 --port 6379" in test_steps
    bench_steps = make("-n", "bench").stdout
    assert "libnginx-mod-http-cache-purge wrk;" in bench_steps
    # The benchmarks render in production mode: static files are collected before they run.
    assert bench_steps.index("collectstatic") < bench_steps.index("bench.pages")
