"""``python -m boto_iotauth_local.faces.cli``: the same as the ``iotauth-local`` console script."""

from __future__ import annotations

from . import main

raise SystemExit(main())
