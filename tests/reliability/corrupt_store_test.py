#!/usr/bin/env python3
"""A damaged RocksDB store (a truncated or bit-flipped table file, a damaged manifest, a lost
CURRENT file, a torn write-ahead log, every file overwritten): vigild must start anyway (no
crash loop), say clearly what was damaged and what it did (repaired, or moved aside for offline
repair and started empty), and store new alerts. The figures say how many of the alerts stored
before the damage each kind of damage cost.
"""

import glob
import os
import pathlib
import sys
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from reliability import EventStream, report  # noqa: E402
from vigil_harness import TempTree, Vigild  # noqa: E402

CONFIG = "outputs:\n  stdout: false\n"
BEFORE = 3000


def newest(db, pattern):
    return sorted(glob.glob(str(db / pattern)))[-1]


def read(path):
    with open(path, "rb") as f:
        return f.read()


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def truncate_table(db):
    f = newest(db, "*.sst")
    data = read(f)
    write(f, data[: len(data) // 2])


def flip_table_bits(db):
    f = newest(db, "*.sst")
    data = bytearray(read(f))
    for i in range(100, len(data) - 100, 997):
        data[i] ^= 0xFF
    write(f, data)


def zero_manifest_tail(db):
    f = newest(db, "MANIFEST-*")
    data = bytearray(read(f))
    half = len(data) // 2
    data[half:] = b"\0" * (len(data) - half)
    write(f, data)


def lose_current(db):
    os.unlink(db / "CURRENT")


def tear_log(db):
    f = newest(db, "*.log")
    data = read(f)
    write(f, data[: len(data) * 2 // 3])


def overwrite_everything(db):
    for f in os.listdir(db):
        path = db / f
        size = max(path.stat().st_size, 64)
        path.write_bytes(bytes((i * 131 + 7) % 256 for i in range(size)))


DAMAGE = [truncate_table, flip_table_bits, zero_manifest_tail, lose_current, tear_log,
          overwrite_everything]


class CorruptStore(unittest.TestCase):
    def post(self, d, events, numbers):
        code, _ = d.curl_input("/ingest", events.json_lines(numbers), "-X", "POST", "--data-binary", "@-")
        self.assertEqual(code, 200)

    def test_every_kind_of_damage(self):
        for damage in DAMAGE:
            with self.subTest(damage=damage.__name__):
                tree = TempTree()
                try:
                    self.check(tree, damage)
                finally:
                    tree.cleanup()

    def check(self, tree, damage):
        events = EventStream()
        events.add_rules(tree)
        d = Vigild(tree, extra_config=CONFIG).start()
        for _ in range(3):
            self.post(d, events, events.take(BEFORE // 3))
        self.assertEqual(d.stop(), 0, d.log())
        damage(tree.data / "rocksdb")

        d = Vigild(tree, extra_config=CONFIG).start()  # fails the test if vigild exits
        self.assertEqual(d.curl("/healthz")[0], 200)
        said = "\n".join(d.log_lines)
        after = events.take(100)
        self.post(d, events, after)
        self.assertEqual(d.stop(), 0, d.log())
        # And once more: no crash loop, nothing left to repair.
        d = Vigild(tree, extra_config=CONFIG).start()
        self.assertEqual(d.stop(), 0, d.log())
        again = "\n".join(d.log_lines)
        self.assertNotIn("is damaged", again)

        processed = events.processed(tree.data)
        kept = sum(1 for n in range(BEFORE) if n in processed)
        new_stored = sum(1 for n in after if n in processed)
        if "is damaged" in said:
            self.assertRegex(said, r"was repaired|was moved to .*\.damaged-\d+")
        report(f"corrupt_store.{damage.__name__}", alerts_before=BEFORE, kept=kept,
               new_alerts_stored=new_stored,
               action="repaired" if "was repaired" in said else
                      "moved_aside" if "moved to" in said else "none_needed")
        self.assertEqual(new_stored, len(after))


if __name__ == "__main__":
    unittest.main()
