"""Where uploaded files live: a small storage interface and its default, folders on local disk.

Files are content-addressed: the key is the SHA-256 of the bytes (plus their extension), so the
same file is stored once however often it is uploaded, and a key can never name anything outside
the store. The default store keeps them under the uploads folder (KNOWHOW_UPLOADS_DIR, by default
instance/uploads), which `flask backup` copies and `flask restore` puts back. Another backend (an
object store for several hosts) needs only the three methods of FileStore.
"""
import hashlib
import os
import re
import tempfile

from flask import current_app

# "ab/abcdef….webp": two hex digits of fan-out, the digest, one of the extensions we write.
_KEY = re.compile(r"[0-9a-f]{2}/[0-9a-f]{64}\.(png|jpg|webp)")


class FileStore:
    """Files under `root`, named by their content: save(bytes) -> key, open(key), delete(key)."""

    def __init__(self, root):
        self.root = os.path.abspath(root)

    def save(self, data, extension):
        """Store `data` (once: the same bytes give the same key) and return its key."""
        digest = hashlib.sha256(data).hexdigest()
        key = "%s/%s.%s" % (digest[:2], digest, extension)
        path = self._path(key)
        if os.path.isfile(path):
            return key
        os.makedirs(os.path.dirname(path), exist_ok=True)
        # Written beside its final name and renamed: a reader never sees half a file.
        handle, partial = tempfile.mkstemp(prefix=".upload-", dir=os.path.dirname(path))
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(partial, path)
        except BaseException:
            if os.path.exists(partial):
                os.remove(partial)
            raise
        return key

    def open(self, key):
        """The stored file as a binary stream; FileNotFoundError when there is none."""
        return open(self._path(key), "rb")  # noqa: SIM115  (the caller closes it, e.g. send_file)

    def exists(self, key):
        """True when a file is stored under `key`."""
        return os.path.isfile(self._path(key))

    def delete(self, key):
        """Remove the file of `key` (nothing when it is gone already)."""
        try:
            os.remove(self._path(key))
        except FileNotFoundError:
            pass

    def _path(self, key):
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            raise ValueError("not a storage key: %r" % (key,))
        return os.path.join(self.root, *key.split("/"))


def image_store(app=None):
    """The store of article images: UPLOADS_DIR/images."""
    app = app or current_app
    return FileStore(os.path.join(app.config["UPLOADS_DIR"], "images"))
