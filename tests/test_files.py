"""write_atomic: a file appears whole or not at all, and errors name the user's path."""

import os

import pytest

from engine.files import write_atomic


def test_write_atomic_writes_bytes_and_text(tmp_path):
    write_atomic(tmp_path / 'a.bin', b'\x00\x01')
    write_atomic(tmp_path / 'b.txt', 'grad ?')
    assert (tmp_path / 'a.bin').read_bytes() == b'\x00\x01'
    assert (tmp_path / 'b.txt').read_text(encoding='utf-8') == 'grad ?'


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / 'model.json'
    target.write_text('old')

    def broken_replace(src, dst):
        raise PermissionError(13, 'Permission denied')

    monkeypatch.setattr(os, 'replace', broken_replace)
    with pytest.raises(PermissionError, match='model.json'):
        write_atomic(target, 'new')
    assert target.read_text() == 'old'
    assert sorted(p.name for p in tmp_path.iterdir()) == ['model.json']


def test_writing_into_a_missing_folder_or_onto_a_folder_is_refused_clearly(tmp_path):
    with pytest.raises(FileNotFoundError, match='does not exist'):
        write_atomic(tmp_path / 'nope' / 'x.svg', b'')
    with pytest.raises(IsADirectoryError, match='folder'):
        write_atomic(tmp_path, b'')
