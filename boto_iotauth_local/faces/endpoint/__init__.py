"""A local HTTP endpoint speaking AWS IoT's REST-JSON protocol, for SDKs outside this process.

``serve(world)`` starts one in a background thread; ``iotauth-local serve`` runs one in the foreground.
Any SDK or CLI reaches it with ``AWS_ENDPOINT_URL_IOT=http://127.0.0.1:PORT`` or ``--endpoint-url``.
"""

from __future__ import annotations

from .server import Endpoint, serve

__all__ = ["Endpoint", "serve"]
