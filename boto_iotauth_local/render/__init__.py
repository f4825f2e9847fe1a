"""Readable results: text tables for terminals (``render.text``) and HTML for Jupyter (``render.html``).

The result classes delegate to these (``_repr_html_``, ``__str__``) so that ``display(result)`` in a
notebook and ``print(result)`` in a terminal show the decision, the policies and the reasons behind it.
Pure Python, no botocore import.
"""

from __future__ import annotations
