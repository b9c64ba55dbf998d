"""release_freed_memory gives the heap the build freed back to the system: the process's resident
memory falls, which is what the benchmark's peak and a forked child's inherited pages see."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

# Run in a fresh interpreter, so pytest's own heap is not measured. 200 MB of 2 KiB objects (malloc's
# heap, not Python's small-object arenas), one in 64 kept: free() alone cannot shrink such a heap.
PROGRAM = textwrap.dedent("""
    import os, sys
    from generator.publish.memory import release_freed_memory

    def resident() -> int:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    blocks = [os.urandom(8) * 256 for _ in range(100_000)]
    kept = blocks[::64]
    del blocks
    freed = resident()
    release_freed_memory()
    print(freed, resident(), len(kept))
""")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="malloc_trim and /proc are Linux's")
def test_freed_heap_goes_back_to_the_system() -> None:
    before, after, _ = map(int, subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True,
                                                check=True).stdout.split())
    assert before - after > 100 * 2**20, f"resident {before / 2**20:.0f} MB before, {after / 2**20:.0f} MB after"


def test_release_is_harmless_with_arrow_loaded_and_called_twice() -> None:
    import pyarrow as pa

    from generator.publish.memory import release_freed_memory

    table = pa.table({"n": list(range(100_000))})
    del table
    release_freed_memory()
    release_freed_memory()
    assert pa.default_memory_pool().bytes_allocated() == 0
