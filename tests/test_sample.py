"""The shipped sample study: rebuilt byte-identical from its script and seed."""
import hashlib
import subprocess
import sys
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def test_sample_files_are_rebuilt_byte_identical(tmp_path):
    # in a fresh interpreter: the script chooses openpyxl's writer before openpyxl is imported
    subprocess.run([sys.executable, str(SAMPLE.parent / "make_sample.py"), str(tmp_path)],
                   check=True, timeout=300)
    shipped = sorted(p.name for p in SAMPLE.iterdir())
    assert sorted(p.name for p in tmp_path.iterdir()) == shipped
    for name in shipped:
        digest = [hashlib.sha256((d / name).read_bytes()).hexdigest() for d in (SAMPLE, tmp_path)]
        assert digest[0] == digest[1], name
