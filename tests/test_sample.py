"""The shipped sample study: rebuilt byte-identical from its script and seed."""
import hashlib
import importlib.util
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def _load_generator():
    spec = importlib.util.spec_from_file_location("make_sample", SAMPLE.parent / "make_sample.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sample_files_are_rebuilt_byte_identical(tmp_path):
    _load_generator().main(tmp_path)
    shipped = sorted(p.name for p in SAMPLE.iterdir())
    assert sorted(p.name for p in tmp_path.iterdir()) == shipped
    for name in shipped:
        digest = [hashlib.sha256((d / name).read_bytes()).hexdigest() for d in (SAMPLE, tmp_path)]
        assert digest[0] == digest[1], name
