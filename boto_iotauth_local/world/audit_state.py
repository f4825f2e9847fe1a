"""Device Defender audit state of one account and region: the audit configuration, tasks and findings.

The world only keeps it (per account and region, as AWS does); what the checks decide is the audit
service's business (:mod:`boto_iotauth_local.services.audit`), which reads and writes it under ``lock``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass
class AuditState:
    """The audit configuration (None until first updated), tasks and findings, in creation order."""

    configuration: dict[str, Any] | None = None
    tasks: dict[str, Any] = field(default_factory=dict)
    findings: dict[str, Any] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
