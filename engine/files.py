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
    handle, temp = tempfile.mkstemp(dir=folder, prefix='.' + os.path.basename(path) + '.',
                                    suffix='.tmp')
    try:
        with os.fdopen(handle, 'wb') as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temp, 0o644)  # mkstemp makes the file private; these are ordinary files
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise
    return path
