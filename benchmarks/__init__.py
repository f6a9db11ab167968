"""Speed and memory benchmarks of ``course_lib`` against PyTorch on the CPU.

Run them with ``make bench`` (``python -m benchmarks.run``); the figures go
to ``benchmarks/RESULTS.md``. They are measurements, not tests: nothing here
is collected by pytest. PyTorch is optional (``benchmarks/requirements.txt``);
without it the peer columns are left empty with a note.
"""
