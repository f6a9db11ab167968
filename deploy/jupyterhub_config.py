"""JupyterHub for a class of this course, on one machine.

One system user per person; every person gets a JupyterLab server running
as that user (LocalProcessSpawner). Instructors get nbgrader's formgrader
and assignment-creation tools; students get the assignment list only.
Assignments move through nbgrader's exchange directory.

Everything that differs between machines comes from the environment, so the
same file serves ``make classroom``, the test suite and a real server:

================================  ==========================================
``CLASSROOM_INSTRUCTORS``         comma-separated user names (default
                                  ``nnfs-instructor``)
``CLASSROOM_STUDENTS``            comma-separated user names (default
                                  ``nnfs-alice,nnfs-bob``)
``CLASSROOM_EXCHANGE``            the exchange root (default
                                  ``/srv/nbgrader/exchange``)
``CLASSROOM_COURSE_DIR``          the course directory, relative to each
                                  instructor's home (default
                                  ``nn-from-scratch``)
``CLASSROOM_STATE``               the hub's database and cookie secret
                                  (default ``.classroom/hub`` in the repo)
``CLASSROOM_IP``, ``_PORT``       public address (default 127.0.0.1:8000)
``CLASSROOM_HUB_PORT``,           internal ports of the hub and of the proxy's
``CLASSROOM_PROXY_API_PORT``      REST API (defaults 8081 and 8001)
``CLASSROOM_SEAL_PORT``           port of the service that seals hand-ins
                                  (default 8002)
``CLASSROOM_PREFIX``              the installed classroom (default: the
                                  folder above the venv the hub runs from,
                                  ``/opt/nn-from-scratch-classroom``)
``CLASSROOM_API_TOKEN``           if set, a service ``classroom-admin`` with
                                  this token may manage users and servers
                                  (scripts and tests drive the hub with it)
================================  ==========================================

The servers run only the installed copy (``deploy/install.sh``): its venv,
its ``jupyter/`` settings and its ``lib/``; nothing of this checkout.
"""

import os
import shutil
import sys

from tornado.web import RedirectHandler

c = get_config()  # noqa: F821 (injected by JupyterHub)

DEPLOY = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(DEPLOY)
VENV_BIN = os.path.dirname(sys.executable)
PREFIX = os.environ.get("CLASSROOM_PREFIX", os.path.dirname(sys.prefix))


def _names(var, default):
    """User names listed in environment variable ``var``."""
    raw = os.environ.get(var, default)
    return [n.strip() for n in raw.split(",") if n.strip()]


INSTRUCTORS = _names("CLASSROOM_INSTRUCTORS", "nnfs-instructor")
STUDENTS = _names("CLASSROOM_STUDENTS", "nnfs-alice,nnfs-bob")
EXCHANGE = os.environ.get("CLASSROOM_EXCHANGE", "/srv/nbgrader/exchange")
COURSE_DIR = os.environ.get("CLASSROOM_COURSE_DIR", "nn-from-scratch")
STATE = os.environ.get("CLASSROOM_STATE", os.path.join(REPO, ".classroom", "hub"))
os.makedirs(STATE, mode=0o700, exist_ok=True)

# --- network: loopback only unless told otherwise ---------------------------
IP = os.environ.get("CLASSROOM_IP", "127.0.0.1")
c.JupyterHub.bind_url = f"http://{IP}:{os.environ.get('CLASSROOM_PORT', '8000')}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("CLASSROOM_HUB_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = (
    f"http://127.0.0.1:{os.environ.get('CLASSROOM_PROXY_API_PORT', '8001')}")
_chp = os.path.join(DEPLOY, "node_modules", ".bin", "configurable-http-proxy")
c.ConfigurableHTTPProxy.command = [_chp if os.path.exists(_chp)
                                   else "configurable-http-proxy"]
# The proxy lives and dies with the hub (no orphan on a stop).
c.ConfigurableHTTPProxy.should_start = True

# --- the hub's own state ------------------------------------------------------
c.JupyterHub.db_url = "sqlite:///" + os.path.join(STATE, "jupyterhub.sqlite")
c.JupyterHub.cookie_secret_file = os.path.join(STATE, "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = os.path.join(STATE, "jupyterhub.pid")
c.ConfigurableHTTPProxy.pid_file = os.path.join(STATE, "jupyterhub-proxy.pid")
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

# --- who may log in, and in which role ---------------------------------------
# The dummy authenticator accepts any password for the listed names: fine on
# the loopback address for a demo; a real class uses its institution's login.
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allowed_users = set(INSTRUCTORS + STUDENTS)
c.Authenticator.admin_users = set()
c.JupyterHub.load_groups = {
    "instructors": {"users": INSTRUCTORS},
    "students": {"users": STUDENTS},
}
# Instructors may see the class list; nobody may enter another person's server.
c.JupyterHub.load_roles = [
    {"name": "instructor", "groups": ["instructors"],
     "scopes": ["self", "list:users", "read:users:name", "read:groups"]},
]
_token = os.environ.get("CLASSROOM_API_TOKEN")
# Hand-ins are sealed by a service running as root (the hub's user): it
# replaces each new submission in the exchange with a copy owned by root,
# readable by the instructors' group only, so a student cannot change it
# after handing it in (lib/classroom_seal.py).
SEAL_PORT = int(os.environ.get("CLASSROOM_SEAL_PORT", "8002"))
SEAL_URL = f"http://127.0.0.1:{SEAL_PORT}"
c.JupyterHub.services = [{
    "name": "classroom-seal", "url": SEAL_URL, "display": False,
    "command": [sys.executable, os.path.join(PREFIX, "lib", "classroom_seal.py")],
    "environment": {"CLASSROOM_EXCHANGE": EXCHANGE,
                    "CLASSROOM_STUDENTS": ",".join(STUDENTS)},
}]
if _token:
    c.JupyterHub.services.append({"name": "classroom-admin", "api_token": _token})
    c.JupyterHub.load_roles.append(
        {"name": "classroom-admin", "services": ["classroom-admin"],
         "scopes": ["admin:users", "admin:servers", "tokens", "list:users",
                    "read:users", "read:groups"]})

# --- one JupyterLab per person, as that person's system user -----------------
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [os.path.join(VENV_BIN, "jupyterhub-singleuser")]
c.Spawner.notebook_dir = "~"
c.Spawner.default_url = "/lab"
c.Spawner.ip = "127.0.0.1"
c.Spawner.start_timeout = 90
c.Spawner.http_timeout = 90
c.Spawner.environment = {
    "PATH": os.pathsep.join([VENV_BIN, "/usr/local/bin", "/usr/bin", "/bin"]),
    "CLASSROOM_EXCHANGE": EXCHANGE,
    "CLASSROOM_COURSE_DIR": COURSE_DIR,
    "CLASSROOM_SEAL_URL": f"{SEAL_URL}/services/classroom-seal/seal",
    # Kernels that grade: no progress bars, no display, one BLAS thread.
    "COURSE_LIB_PROGRESS": "0",
    "MPLBACKEND": "Agg",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
}


def _role_settings(role):
    """Environment giving a server its role's Jupyter and nbgrader settings.

    ``JUPYTER_CONFIG_PATH`` adds ``<prefix>/jupyter/<role>/`` (a copy of
    ``deploy/jupyter/<role>/``): which server and
    lab extensions of nbgrader are on, and the nbgrader configuration (the
    exchange and, for instructors, the course directory).
    """
    return {"JUPYTER_CONFIG_PATH": os.path.join(PREFIX, "jupyter", role),
            "CLASSROOM_ROLE": role}


# Everyone is a student unless the hub's "instructors" group says otherwise.
c.Spawner.environment.update(_role_settings("student"))
c.Spawner.group_overrides = {
    "10-instructors": {
        "groups": ["instructors"],
        "spawner_override": {"environment": _role_settings("instructor")},
    },
}

# Formgrader's links, when it is opened in a browser tab of its own, point
# at /tree/, /notebooks/ and /edit/ of the site's root (the classic
# notebook's pages); the hub sends them on to the user's JupyterLab.
c.JupyterHub.extra_handlers = [
    (r"/(?:tree|notebooks|edit)/(.*)", RedirectHandler,
     {"url": "/hub/user-redirect/lab/tree/{0}"}),
]

if not shutil.which(c.ConfigurableHTTPProxy.command[0]):
    print("configurable-http-proxy not found: run `npm ci --prefix deploy` "
          "(make classroom does).", file=sys.stderr)
