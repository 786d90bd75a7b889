"""Whether a run of a given size, and the outputs of all its replications, fit in this machine's memory."""

from __future__ import annotations

import os

from sim.errors import InputError

# Upper bounds on measured peak resident memory (about 500 bytes per customer
# of the initial book, market slots and weekly temporaries included, and
# under 1 kB per employee, Mesa agent included, on top of about 160 MB).
BYTES_PER_CUSTOMER = 600
BYTES_PER_EMPLOYEE = 2_000
BASE_BYTES = 200 * 2**20
# ``cfsim run`` holds every replication's weekly outputs: peak resident memory
# grew by about 500 bytes per row written to Parquet (22 columns: held twice
# while joined, then converted) and 200-300 to CSV; 1 kB leaves room for
# the columns still to come.
BYTES_PER_OUTPUT_ROW = 1_000


def estimated_bytes(n_employees: int, n_customers: int) -> int:
    """A generous estimate of one run's peak memory."""
    return BASE_BYTES + n_employees * BYTES_PER_EMPLOYEE + n_customers * BYTES_PER_CUSTOMER


def available_bytes() -> int:
    """Memory available to a new run: MemAvailable, else physical memory."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def check_fits(n_employees: int, n_customers: int, runs_at_once: int = 1) -> None:
    """Raise InputError naming the sizes when the run cannot fit in memory."""
    need = estimated_bytes(n_employees, n_customers) * runs_at_once
    have = available_bytes()
    if need > have:
        raise InputError(
            f"n_employees = {n_employees:,}, n_customers = {n_customers:,}: needs about {need / 2**30:.1f} GiB, "
            f"this machine has {have / 2**30:.1f} GiB available; choose smaller sizes"
        )


def check_outputs_fit(replications: int, weeks: int, n_employees: int, n_customers: int) -> None:
    """Raise InputError naming ``--replications`` and ``--weeks`` when one run and all the outputs cannot fit."""
    rows = replications * weeks
    need = estimated_bytes(n_employees, n_customers) + rows * BYTES_PER_OUTPUT_ROW
    have = available_bytes()
    if need > have:
        raise InputError(
            f"--replications {replications:,} x --weeks {weeks:,}: {rows:,} rows of weekly outputs need about "
            f"{need / 2**30:.1f} GiB, this machine has {have / 2**30:.1f} GiB available; "
            f"choose fewer replications or weeks"
        )
