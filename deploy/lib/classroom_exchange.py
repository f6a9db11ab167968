"""nbgrader's submit and release steps, with hand-ins private to the
instructors and sealed once made.

The stock exchange leaves each submission world-readable and relies on the
inbound folder being unlistable (mode 2733) and on a random suffix in the
folder name. Here the submission ends at mode 0770 (folders) and 0640
(files): readable by the student who owns it and by the group of the inbound
folder, which is the instructor's group.

Group ownership comes from the set-group-id bit of inbound, which new
folders inherit. The stock copy (``shutil.copytree``) copies the student's
folder mode over it, and a student cannot set the bit again on a folder of
a group they are not in; so the copy into inbound here creates the folders
and copies file contents only, and every file nbgrader then writes in the
submission (timestamp, secret) still belongs to the instructor's group.

Once the copy is complete, the classroom's seal service (running as root,
``classroom_seal.py``) replaces it with a copy owned by root that only the
instructors' group reads: the student can no longer write, delete, chmod or
rename it (inbound carries the sticky bit). If sealing fails the hand-in is
withdrawn and the submit fails, so no unsealed hand-in is left behind.
"""

import json
import os
import shutil
import stat
import urllib.error
import urllib.request

from nbgrader.exchange.default.release_assignment import ExchangeReleaseAssignment
from nbgrader.exchange.default.submit import ExchangeSubmit
from nbgrader.utils import ignore_patterns

DIR_MODE = 0o770
FILE_MODE = 0o640


def restrict(tree: str) -> None:
    """Make ``tree`` readable by its owner and its group only."""
    for dirpath, _dirnames, filenames in os.walk(tree):
        os.chmod(dirpath, DIR_MODE)
        for name in filenames:
            os.chmod(os.path.join(dirpath, name), FILE_MODE)


def copy_contents(src: str, dest: str, ignore) -> None:
    """Copy the tree ``src`` to new folder ``dest``: contents, no modes.

    ``ignore(folder, names)`` returns the names to skip, as for
    ``shutil.copytree``.
    """
    for dirpath, dirnames, filenames in os.walk(src):
        skipped = set(ignore(dirpath, dirnames + filenames))
        dirnames[:] = [d for d in dirnames if d not in skipped]
        target = os.path.normpath(os.path.join(dest, os.path.relpath(dirpath, src)))
        os.makedirs(target, exist_ok=True)
        for name in filenames:
            if name not in skipped:
                shutil.copyfile(os.path.join(dirpath, name), os.path.join(target, name))


class PrivateSubmit(ExchangeSubmit):
    """``nbgrader submit`` whose copy in the exchange only instructors read."""

    def do_copy(self, src, dest, log=None):
        inbound = os.path.join(os.path.abspath(self.inbound_path), "")
        if not os.path.abspath(dest).startswith(inbound):
            return super().do_copy(src, dest, log)
        size, limit = self.get_size(src), 1000 * self.coursedir.max_dir_size
        if size > limit:
            raise RuntimeError(f"Directory size is too big. Size is {size}, "
                               f"maximum size is {limit}")
        copy_contents(src, dest, ignore_patterns(
            exclude=self.coursedir.ignore, include=self.coursedir.include,
            max_file_size=self.coursedir.max_file_size, log=self.log))

    def copy_files(self):
        super().copy_files()
        folder = os.path.join(self.inbound_path, self.assignment_filename)
        restrict(folder)
        url = os.environ.get("CLASSROOM_SEAL_URL")
        if not url:
            self.log.warning("CLASSROOM_SEAL_URL is not set: the hand-in is "
                             "not sealed")
            return
        try:
            seal(url, self.assignment_filename)
        except Exception as exc:
            shutil.rmtree(folder, ignore_errors=True)
            self.fail(f"the hand-in could not be sealed, so it was withdrawn: {exc}")


def seal(url: str, name: str) -> None:
    """Ask the seal service to seal the hand-in folder ``name`` of inbound."""
    token = os.environ.get("JUPYTERHUB_API_TOKEN", "")
    request = urllib.request.Request(
        url, data=json.dumps({"folder": name}).encode(), method="POST",
        headers={"Authorization": f"token {token}",
                 "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        raise RuntimeError(f"{exc.code} {exc.read()[:300].decode(errors='replace')}") \
            from None


class StickyRelease(ExchangeReleaseAssignment):
    """``nbgrader release_assignment`` that also sets the sticky bit on
    inbound: nobody but root and the instructor renames or deletes a
    hand-in there."""

    def init_dest(self):
        super().init_dest()
        mode = os.stat(self.inbound_path).st_mode
        if not mode & stat.S_ISVTX:
            os.chmod(self.inbound_path, stat.S_IMODE(mode) | stat.S_ISVTX)
