"""``make classroom``: the course's JupyterHub on http://127.0.0.1:8000.

Creates one system user per person (an instructor and two students by
default), the exchange directory, and the instructor's course directory (a
copy of this repository's ``solutions/``, ``exercises/`` and
``nbgrader_config.py`` in the instructor's home), then runs JupyterHub with
``deploy/jupyterhub_config.py`` in the foreground (Ctrl-C stops it and every
server it started). Needs root, as any hub that runs servers as other users.

The servers run the classroom installed by ``deploy/install.sh`` in
``$CLASSROOM_PREFIX`` (``/opt/nn-from-scratch-classroom``), never this
checkout, which :func:`protect_checkout` makes private to its owner: it holds
``solutions/``, ``_grading/`` and the history of both.

The helpers below are also what the classroom test uses to set up its own
throw-away class.
"""

from __future__ import annotations

import argparse
import csv
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent
REPO = DEPLOY.parent
HUB_CONFIG = DEPLOY / "jupyterhub_config.py"
CHP = DEPLOY / "node_modules" / ".bin" / "configurable-http-proxy"
# Built by deploy/install.sh from a Python every user may run, outside the
# checkout and read-only to everyone but root.
PREFIX = Path(os.environ.get("CLASSROOM_PREFIX", "/opt/nn-from-scratch-classroom"))
VENV = PREFIX / "venv"
COURSE_FILES = ("nbgrader_config.py", "solutions", "exercises")

DEFAULT_INSTRUCTORS = ("nnfs-instructor",)
DEFAULT_STUDENTS = ("nnfs-alice", "nnfs-bob")
# Names Formgrader shows (a real class reads them from its roster, --roster).
DEFAULT_NAMES = {"nnfs-alice": ("Alice", "Adams"), "nnfs-bob": ("Bob", "Brown")}
DEFAULT_EXCHANGE = Path("/srv/nbgrader/exchange")
DEFAULT_COURSE_DIR = "nn-from-scratch"


def user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def create_user(name: str, home: Path | None = None) -> bool:
    """Create system user ``name`` with a private home; False if it existed.

    ``home`` defaults to the system's (``/home/NAME``). The home is made
    mode 0700 whatever the system's default, so that classmates cannot read
    each other's notebooks or nbgrader's submission cache.
    """
    if user_exists(name):
        return False
    cmd = ["useradd", "--create-home", "--user-group", "--shell", "/bin/bash"]
    if home is not None:
        cmd += ["--home-dir", str(home)]
    subprocess.run([*cmd, name], check=True, capture_output=True, text=True)
    os.chmod(pwd.getpwnam(name).pw_dir, 0o700)
    return True


def delete_user(name: str) -> None:
    """Remove system user ``name`` and its home (and its own group)."""
    subprocess.run(["userdel", "--remove", name], capture_output=True, text=True)


def prepare_exchange(root: Path) -> None:
    """The exchange root: world-writable with the sticky bit, like /tmp.

    nbgrader creates the course's ``outbound`` (0755) and ``inbound`` (2733:
    students may drop submissions in but not list them) on first release.
    """
    root.mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o1777)


def chown_tree(path: Path, user: str) -> None:
    entry = pwd.getpwnam(user)
    for dirpath, dirnames, filenames in os.walk(path):
        os.chown(dirpath, entry.pw_uid, entry.pw_gid, follow_symlinks=False)
        for name in dirnames + filenames:
            os.chown(os.path.join(dirpath, name), entry.pw_uid, entry.pw_gid,
                     follow_symlinks=False)


def prepare_course(instructor: str, course_dir: str = DEFAULT_COURSE_DIR,
                   assignments: list[str] | None = None) -> Path:
    """Copy the course into ``~instructor/course_dir`` (mode 0700); its path.

    ``assignments`` limits the copy to those folders of ``solutions/`` and
    ``exercises/`` (all by default). An existing course directory is left
    as it is: it holds the instructor's gradebook.
    """
    home = Path(pwd.getpwnam(instructor).pw_dir)
    course = home / course_dir
    if course.exists():
        return course
    course.mkdir(mode=0o700)
    shutil.copy2(REPO / "nbgrader_config.py", course / "nbgrader_config.py")
    for folder in ("solutions", "exercises"):
        names = assignments or sorted(p.name for p in (REPO / folder).iterdir()
                                      if p.is_dir())
        for name in names:
            shutil.copytree(REPO / folder / name, course / folder / name,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    (course / "_grading").mkdir()
    chown_tree(course, instructor)
    os.chmod(course, 0o700)
    return course


def protect_checkout(path: Path = REPO) -> int:
    """Make the checkout private to its owner (no access for group and
    others); its previous mode.

    Students' servers do not need it, and it holds ``solutions/``,
    ``_grading/`` and ``.git``: a student who can enter it reads them all.
    """
    mode = os.stat(path).st_mode & 0o7777
    os.chmod(path, mode & ~0o077)
    return mode


def read_roster(path: Path) -> dict[str, tuple[str, str]]:
    """id -> (first name, last name) from a CSV with columns ``id``,
    ``first_name``, ``last_name``."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    missing = {"id", "first_name", "last_name"} - set(rows[0] if rows else {})
    if missing:
        raise ValueError(f"roster {path}: expected the columns id, first_name, "
                         f"last_name; missing {sorted(missing)}")
    return {r["id"].strip(): (r["first_name"].strip(), r["last_name"].strip())
            for r in rows if r["id"].strip()}


def register_students(instructor: str, course: Path,
                      names: dict[str, tuple[str, str]]) -> None:
    """Put each student, with their names, in the instructor's gradebook
    (``nbgrader db student add``, as the instructor), so that Formgrader
    shows names rather than "None, None"."""
    entry = pwd.getpwnam(instructor)
    env = {"HOME": entry.pw_dir, "USER": instructor, "LOGNAME": instructor,
           "LANG": "C.UTF-8", "PATH": f"{VENV / 'bin'}:/usr/bin:/bin",
           "JUPYTER_CONFIG_PATH": str(PREFIX / "jupyter" / "instructor")}
    for student, (first, last) in names.items():
        proc = subprocess.run(
            ["runuser", "-u", instructor, "--", "env", "-i",
             *[f"{k}={v}" for k, v in env.items()],
             str(VENV / "bin" / "nbgrader"), "db", "student", "add", student,
             f"--first-name={first}", f"--last-name={last}", "--log-level=WARN"],
            cwd=course, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"nbgrader db student add {student} failed:\n"
                               f"{proc.stdout}{proc.stderr}")


def hub_environment(instructors, students, exchange: Path,
                    course_dir: str = DEFAULT_COURSE_DIR, **extra) -> dict:
    """Environment read by ``deploy/jupyterhub_config.py``."""
    env = dict(os.environ)
    env.update(CLASSROOM_PREFIX=str(PREFIX),
               CLASSROOM_INSTRUCTORS=",".join(instructors),
               CLASSROOM_STUDENTS=",".join(students),
               CLASSROOM_EXCHANGE=str(exchange),
               CLASSROOM_COURSE_DIR=course_dir)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def hub_command() -> list[str]:
    """JupyterHub from the classroom's environment, with the course's config."""
    return [str(VENV / "bin" / "jupyterhub"), "-f", str(HUB_CONFIG)]


def missing_requirements() -> list[str]:
    """What is not installed for the classroom, as messages."""
    missing = []
    if not (VENV / "bin" / "python").exists():
        missing.append(f"the classroom environment {VENV} is not built "
                       "(bash deploy/install.sh)")
    else:
        missing += [f"{VENV / 'bin' / exe} is missing (bash deploy/install.sh)"
                    for exe in ("jupyterhub", "jupyterhub-singleuser", "nbgrader")
                    if not (VENV / "bin" / exe).exists()]
    if not (PREFIX / "jupyter" / "student").is_dir() or \
            not (PREFIX / "lib" / "classroom_seal.py").is_file():
        missing.append(f"{PREFIX} lacks jupyter/ or lib/ (bash deploy/install.sh)")
    if not CHP.exists() and not shutil.which("configurable-http-proxy"):
        missing.append("configurable-http-proxy is not installed "
                       "(bash deploy/install.sh)")
    for tool in ("useradd", "userdel", "runuser"):
        if not shutil.which(tool):
            missing.append(f"{tool} is not available")
    return missing


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--exchange", type=Path, default=DEFAULT_EXCHANGE)
    parser.add_argument("--instructor", action="append")
    parser.add_argument("--student", action="append")
    parser.add_argument("--roster", type=Path,
                        help="CSV with columns id, first_name, last_name: the "
                        "students (unless --student is given) and their names")
    args = parser.parse_args(argv)
    instructors = args.instructor or list(DEFAULT_INSTRUCTORS)
    names = read_roster(args.roster) if args.roster else dict(DEFAULT_NAMES)
    students = args.student or (list(names) if args.roster else list(DEFAULT_STUDENTS))

    if os.geteuid() != 0:
        print("make classroom runs one server per person as that person's "
              "system user, which needs root: run `make classroom` as root.",
              file=sys.stderr)
        return 2
    problems = missing_requirements()
    if problems:
        print("Cannot start the classroom:\n  " + "\n  ".join(problems),
              file=sys.stderr)
        return 2
    for name in [*instructors, *students]:
        if create_user(name):
            print(f"created system user {name}")
    prepare_exchange(args.exchange)
    if protect_checkout() & 0o077:
        print(f"{REPO} is now private to its owner (mode 0700): students "
              "must not read solutions/, _grading/ or .git")
    for name in instructors:
        course = prepare_course(name)
        register_students(name, course, {s: names.get(s, (s, "")) for s in students})
        print(f"course directory of {name}: {course}")
    env = hub_environment(instructors, students, args.exchange,
                          CLASSROOM_PORT=args.port)
    print(f"\nJupyterHub on http://127.0.0.1:{args.port}/ - log in as "
          f"{', '.join(instructors)} (instructor) or {', '.join(students)} "
          "(students), any password. Ctrl-C stops it.\n", flush=True)
    os.chdir(PREFIX)
    os.execve(hub_command()[0], hub_command(), env)


if __name__ == "__main__":
    sys.exit(main())
