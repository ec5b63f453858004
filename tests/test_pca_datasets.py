"""models/pca_datasets.py: the bundled datasets, and a student's CSV read or refused with a clear message."""

import pytest

from models import pca_datasets


def test_parse_csv_reads_numbers_drops_bad_rows_and_uses_text_labels():
    data = b"a,b,c,kind\n1,2,3,x\n4,5,6,y\n7,,9,x\n1,inf,2,y\n3,3,3,y\n"
    dataset = pca_datasets.parse_csv(data)
    assert dataset.X.shape == (3, 3)
    assert dataset.feature_names == ("a", "b", "c")
    assert list(dataset.labels) == ["x", "y", "y"]
    assert any("Dropped 2 row" in n for n in dataset.notes)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
        ("a,b\n1,2\n3,4\n".encode("utf-16"), "binary|UTF-8"),
        (b"a,b\n\xff\xfe,1\n", "UTF-8"),
        (b"name,city\nann,york\nbob,leeds\n", "no numeric columns"),
        (b"a,name\n1,x\n2,y\n", "only one numeric column"),
        (b"a,b\n1,2\n", "at least 2 rows"),
        (b"a,b\n1,nan\n2,3\n", "at least 2 rows"),
        (b"a,b\n" + b"1,2\n" * 100_001, "limit"),
        (b"x" * (pca_datasets.MAX_CSV_BYTES + 1), "limit is 2 MB"),
        ((",".join(f"c{i}" for i in range(400)) + "\n" + ",".join(["1"] * 400) + "\n").encode(), "limit is 300"),
        ("a,b\n1,2\n\xe9,3\n".encode("latin-1"), "UTF-8"),
        (b"a,b\nnan,1\ninf,2\n", "usable row"),
        ((",".join(f"c{i}" for i in range(10_000)) + "\n" + ",".join("1" * 10_000) + "\n").encode(), "limit"),
        (b'a,b\n1,2\n"unterminated,3\n', "CSV"),
    ],
)
def test_parse_csv_refuses_bad_uploads_with_clear_messages(data, message):
    with pytest.raises(ValueError, match=message):
        pca_datasets.parse_csv(data)


def test_load_builtin_rejects_unknown_names():
    with pytest.raises(ValueError, match="unknown dataset"):
        pca_datasets.load_builtin("mnist")
    digits = pca_datasets.load_builtin("digits")
    assert digits.X.shape == (1797, 64) and digits.image_shape == (8, 8)
