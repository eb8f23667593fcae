"""What bench/run and bench/instructions share: where things are, building, a fresh database
loaded with the workload, and cartql's settings for a run."""

import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
SECRET = "bench-secret-that-is-long-enough-for-hs256"
CARTQL_ADDR = "127.0.0.1:18080"
YARDSTICK_ADDR = "127.0.0.1:18081"
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
OPERATIONS = ROOT / "bench" / "operations"
TICKS = os.sysconf("SC_CLK_TCK")


def log(message):
    print(message, file=sys.stderr, flush=True)


def build():
    log("building cartql, bench-data and yardstick (release)")
    subprocess.run(
        ["cargo", "build", "--release", "-q", "-p", "cartql", "-p", "cartql-bench-data",
         "-p", "cartql-yardstick"],
        cwd=ROOT, check=True)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "release"
    return target / "cartql", target / "bench-data", target / "yardstick"


def fresh_database(backend):
    """A new, empty database for this run: its URL."""
    if backend == "sqlite":
        path = OUT / "bench.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite://{path}?mode=rwc"
    prefix = PG_URL.rsplit("/", 1)[0]
    for sql in ("DROP DATABASE IF EXISTS cartql_bench WITH (FORCE)", "CREATE DATABASE cartql_bench"):
        subprocess.run(["psql", PG_URL, "-q", "-c", sql], check=True, capture_output=True)
    return f"{prefix}/cartql_bench"


def wait_ready(address, path, limit=30.0):
    start = time.monotonic()
    while time.monotonic() - start < limit:
        try:
            with urllib.request.urlopen(f"http://{address}{path}", timeout=1) as reply:
                if reply.status == 200:
                    return time.monotonic() - start
        except OSError:
            pass
        time.sleep(0.01)
    raise RuntimeError(f"{address} did not become ready")


def cartql_env(url):
    """cartql's environment for a run over `url`: limits out of the way, logs quiet."""
    return dict(os.environ, DATABASE_URL=url, CARTQL_BIND=CARTQL_ADDR, CARTQL_JWT_SECRET=SECRET,
                CARTQL_DB_MAX_CONNECTIONS="10", CARTQL_LOG="warn", CARTQL_DEMO_CATALOG="false",
                CARTQL_RATE_MUTATIONS="100000000", CARTQL_RATE_NEW_CARTS="100000000",
                CARTQL_MAX_IN_FLIGHT="4096")


def operation(name):
    """The text of bench/operations/<name>.graphql (one line)."""
    return (OPERATIONS / f"{name}.graphql").read_text().strip()


def cpu_seconds(pids):
    """User + system CPU seconds used so far by these processes."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / TICKS


def postgres_pids():
    found = subprocess.run(["pgrep", "-x", "postgres"], capture_output=True, text=True)
    return [int(p) for p in found.stdout.split()]


def peak_rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def wrk(target, scenario, address, seconds, connections):
    """One wrk run of bench/load.lua; its RESULT values and wrk's own CPU seconds."""
    env = dict(os.environ, BENCH_TARGET=target, BENCH_SCENARIO=scenario, BENCH_DIR=str(OUT),
               BENCH_OPERATIONS=str(OPERATIONS))
    before = os.times()
    run = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency",
         "-s", str(ROOT / "bench" / "load.lua"), f"http://{address}"],
        env=env, capture_output=True, text=True, check=True)
    after = os.times()
    result = re.search(r"RESULT (.*)", run.stdout)
    if not result:
        raise RuntimeError(f"wrk printed no result:\n{run.stdout}\n{run.stderr}")
    values = dict(pair.split("=") for pair in result.group(1).split())
    values = {k: float(v) for k, v in values.items()}
    values["wrk_cpu"] = (after.children_user - before.children_user) + (
        after.children_system - before.children_system)
    sample = re.search(r"SAMPLE (.*)", run.stdout)
    if sample:
        log(f"    first failure: {sample.group(1)}")
    return values


def start(command, env=None):
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
