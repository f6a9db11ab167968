"""A student's nbgrader settings: fetch and submit through the exchange."""

import os

c = get_config()  # noqa: F821 (injected by nbgrader)
load_subconfig(os.path.join(os.path.dirname(os.path.abspath(__file__)),  # noqa: F821
                            os.pardir, "exchange_config.py"))
