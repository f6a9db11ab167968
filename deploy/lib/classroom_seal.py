"""The classroom's seal service: makes a hand-in immutable once made.

A JupyterHub service run by the hub, as root. A student's server, right
after ``nbgrader submit`` has copied a hand-in into the exchange's inbound
folder, posts its folder name here with the server's own hub token. The
service asks the hub whose token it is, checks that the folder is that
student's (its name starts with ``<student>+``, it is a real folder owned by
the student's uid), and replaces it with a copy owned by root, group the
inbound folder's (the instructors'), folders 0750 and files 0640. Only
regular files are copied, each opened without following links; the
student's original (and any file they still hold open) is deleted. The
student then can neither read, write, delete, chmod nor rename the hand-in
(inbound has the sticky bit); a new submit makes a new, timestamped one.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import shutil
import stat
import sys
import urllib.error
import urllib.request
from urllib.parse import urlparse

from tornado import ioloop, web

EXCHANGE = os.environ.get("CLASSROOM_EXCHANGE", "/srv/nbgrader/exchange")
COURSE_ID = os.environ.get("CLASSROOM_COURSE_ID", "nn-from-scratch")
DIR_MODE, FILE_MODE = 0o750, 0o640
MAX_BYTES = 200 << 20  # a hand-in larger than this is refused


class SealError(Exception):
    """A request that cannot be honoured (reason inside)."""


def caller(token: str) -> str:
    """The hub user owning ``token``; SealError for anything else."""
    request = urllib.request.Request(
        os.environ["JUPYTERHUB_API_URL"].rstrip("/") + "/user",
        headers={"Authorization": f"token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            model = json.load(response)
    except urllib.error.HTTPError:
        raise SealError("the token is not a hub user's") from None
    if model.get("kind", "user") != "user" or not model.get("name"):
        raise SealError("the token is not a hub user's")
    return model["name"]


def _copy_tree(src_fd: int, dest: str, gid: int, budget: list[int]) -> None:
    """Copy the regular files and folders under ``src_fd`` into ``dest``."""
    for name in os.listdir(src_fd):
        st = os.stat(name, dir_fd=src_fd, follow_symlinks=False)
        target = os.path.join(dest, name)
        if stat.S_ISDIR(st.st_mode):
            os.mkdir(target, DIR_MODE)
            os.chown(target, 0, gid)
            os.chmod(target, DIR_MODE)
            fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW,
                         dir_fd=src_fd)
            try:
                _copy_tree(fd, target, gid, budget)
            finally:
                os.close(fd)
        elif stat.S_ISREG(st.st_mode):
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK,
                         dir_fd=src_fd)
            with os.fdopen(fd, "rb") as fh:
                if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                    continue
                data = fh.read(budget[0] + 1)
            budget[0] -= len(data)
            if budget[0] < 0:
                raise SealError(f"the hand-in is larger than {MAX_BYTES >> 20} MiB")
            out = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
            with os.fdopen(out, "wb") as fh:
                fh.write(data)
                os.fchown(fh.fileno(), 0, gid)
                os.fchmod(fh.fileno(), FILE_MODE)
        # links, devices, fifos and sockets are not part of a hand-in


def seal(user: str, folder: str, exchange: str = EXCHANGE,
         course_id: str = COURSE_ID) -> str:
    """Seal ``inbound/folder`` of ``user``; its path."""
    if not re.fullmatch(re.escape(user) + r"\+[^/+]+\+[^/]+", folder) or \
            folder.startswith("."):
        raise SealError(f"{folder!r} is not a hand-in of {user}")
    inbound = os.path.join(exchange, course_id, "inbound")
    path = os.path.join(inbound, folder)
    try:
        st = os.lstat(path)
        uid = pwd.getpwnam(user).pw_uid
    except (FileNotFoundError, KeyError):
        raise SealError(f"no hand-in {folder!r}") from None
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != uid:
        # Already sealed (root's), or not the student's own folder.
        raise SealError(f"{folder!r} is not an unsealed hand-in of {user}")
    inbound_st = os.stat(inbound)
    gid = inbound_st.st_gid
    if not inbound_st.st_mode & stat.S_ISVTX:
        os.chmod(inbound, stat.S_IMODE(inbound_st.st_mode) | stat.S_ISVTX)
    hidden = os.path.join(inbound, f".sealing-{folder}")
    os.rename(path, hidden)  # the student's copy leaves the visible name
    try:
        os.mkdir(path, 0o700)
        fd = os.open(hidden, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        try:
            _copy_tree(fd, path, gid, [MAX_BYTES])
        finally:
            os.close(fd)
        os.chown(path, 0, gid)
        os.chmod(path, DIR_MODE)
    except BaseException:
        shutil.rmtree(path, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(hidden, ignore_errors=True)
    return path


class SealHandler(web.RequestHandler):
    def post(self):
        auth = self.request.headers.get("Authorization", "")
        token = auth[len("token "):] if auth.startswith("token ") else ""
        try:
            if not token:
                raise SealError("no token")
            user = caller(token)
            body = json.loads(self.request.body or b"{}")
            folder = body.get("folder") if isinstance(body, dict) else None
            if not isinstance(folder, str):
                raise SealError("expected {\"folder\": NAME}")
            path = seal(user, folder)
        except SealError as exc:
            self.set_status(403)
            self.finish({"error": str(exc)})
            return
        print(f"classroom-seal: sealed {path} for {user}", file=sys.stderr, flush=True)
        self.finish({"sealed": folder})


def main() -> None:
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/classroom-seal/")
    url = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:8002"))
    app = web.Application([(prefix.rstrip("/") + "/seal", SealHandler)])
    app.listen(url.port or 80, url.hostname or "127.0.0.1")
    ioloop.IOLoop.current().start()


if __name__ == "__main__":
    main()
