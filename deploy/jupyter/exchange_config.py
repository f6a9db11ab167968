"""nbgrader settings every member of the class shares: the course id and
the exchange (loaded by the instructor's and the students' configs)."""

import os
import sys

c = get_config()  # noqa: F821 (injected by nbgrader)

# lib/ (deploy/lib, installed next to jupyter/) holds the exchange's submit and
# release steps (see classroom_exchange.py).
_lib = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib")
if _lib not in sys.path:
    sys.path.insert(0, _lib)

c.CourseDirectory.course_id = "nn-from-scratch"
c.Exchange.root = os.environ.get("CLASSROOM_EXCHANGE", "/srv/nbgrader/exchange")
c.ExchangeFactory.submit = "classroom_exchange.PrivateSubmit"
c.ExchangeFactory.release_assignment = "classroom_exchange.StickyRelease"
