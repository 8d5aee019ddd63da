"""Writing files so that a reader never sees half of one.

>>> write_atomic('graph.svg', svg_bytes)    # a temporary file in the same folder, then a rename
"""

import os
import tempfile


def write_atomic(path, data):
    """Write bytes (or text, as UTF-8) to path all at once; return the path.

    The data goes to a temporary file in the same folder, is flushed to disk, and is then
    renamed over path: the old file stays whole until the new one is complete.
    """
    if isinstance(data, str):
        data = data.encode('utf-8')
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"cannot write {path!r}: the folder {folder!r} does not exist")
    if os.path.isdir(path):
        raise IsADirectoryError(f"cannot write {path!r}: it is a folder; give a file name")
    try:
        handle, temp = tempfile.mkstemp(dir=folder, prefix='.' + os.path.basename(path) + '.',
                                        suffix='.tmp')
    except OSError as e:  # name the file the user asked for, not our temporary one
        raise type(e)(e.errno, f"cannot write {path!r}: {e.strerror}") from None
    try:
        with os.fdopen(handle, 'wb') as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temp, 0o644)  # mkstemp makes the file private; these are ordinary files
        os.replace(temp, path)
    except OSError as e:
        os.unlink(temp)
        raise type(e)(e.errno, f"cannot write {path!r}: {e.strerror}") from None
    except BaseException:
        os.unlink(temp)
        raise
    return path
