"""The Device Defender audit operations: validated request members in, the service's response members out.

State (configuration, tasks, findings) is the world's ``audit_state``, per account and region.

Tasks run synchronously: ``StartOnDemandAuditTask`` returns once every check has run, so the first
``DescribeAuditTask`` already reads ``COMPLETED`` (never ``IN_PROGRESS``); a task can therefore never be
canceled (``CancelAuditTask`` refuses, as AWS does for a task that is not ``IN_PROGRESS``). Checks that need
data a world does not hold report ``WAITING_FOR_DATA_COLLECTION`` inside the completed task.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...errors import InvalidRequestException, ResourceNotFoundException
from ...world import World
from ...world.paging import paginate
from ..options import ServiceOptions
from .findings import Finding
from .registry import CHECKS
from .runner import AuditReport, check_names, run_checks

TASK_TYPE = "ON_DEMAND_AUDIT_TASK"
#: Custom configuration each check accepts, with the range of days it takes.
CONFIG_RANGES: dict[str, dict[str, tuple[int, int]]] = {
    "DEVICE_CERTIFICATE_AGE_CHECK": {"CERT_AGE_THRESHOLD_IN_DAYS": (30, 3652)},
    "DEVICE_CERTIFICATE_EXPIRING_CHECK": {"CERT_EXPIRATION_THRESHOLD_IN_DAYS": (1, 3652)},
    "CA_CERTIFICATE_EXPIRING_CHECK": {"CERT_EXPIRATION_THRESHOLD_IN_DAYS": (1, 3652)},
}
_NOTIFICATION_TYPES = ("SNS",)
_DEFAULT_FINDINGS_PAGE = 25


@dataclass(frozen=True)
class AuditTask:
    task_id: str
    status: str
    report: AuditReport
    finding_ids: tuple[str, ...]


@dataclass(frozen=True)
class StoredFinding:
    finding_id: str
    task_id: str
    finding: Finding
    wire: dict[str, Any]


# -- configuration -------------------------------------------------------------------------------------


def _check_configuration(name: str, value: object) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidRequestException(f"auditCheckConfigurations.{name} must be a structure")
    result: dict[str, Any] = {}
    if "enabled" in value:
        if not isinstance(value["enabled"], bool):
            raise InvalidRequestException(f"auditCheckConfigurations.{name}.enabled must be a boolean")
        result["enabled"] = value["enabled"]
    custom = value.get("configuration")
    if custom is not None:
        allowed = CONFIG_RANGES.get(name, {})
        if not isinstance(custom, Mapping):
            raise InvalidRequestException(f"auditCheckConfigurations.{name}.configuration must be a map")
        for key, text in custom.items():
            if key not in allowed:
                accepted = ", ".join(allowed) or "no configuration"
                raise InvalidRequestException(
                    f"Configuration {key!r} does not apply to {name}; it accepts {accepted}"
                )
            low, high = allowed[key]
            if not isinstance(text, str) or not text.isdigit() or not low <= int(text) <= high:
                raise InvalidRequestException(
                    f"Configuration {key} of {name} must be a whole number of days from {low} to {high}, "
                    f"not {text!r}"
                )
        result["configuration"] = dict(custom)
    return result


def update_account_audit_configuration(
    world: World, params: Mapping[str, Any], options: ServiceOptions
) -> dict[str, Any]:
    state = world.audit_state
    checks = params.get("auditCheckConfigurations") or {}
    targets = params.get("auditNotificationTargetConfigurations") or {}
    check_names(checks, "auditCheckConfigurations")
    validated = {name: _check_configuration(name, value) for name, value in checks.items()}
    for kind in targets:
        if kind not in _NOTIFICATION_TYPES:
            raise InvalidRequestException(
                f"auditNotificationTargetConfigurations: unknown type {kind!r} (SNS)"
            )
    with state.lock:
        current = state.configuration
        if current is None and not params.get("roleArn"):
            raise InvalidRequestException(
                "roleArn is required on the first call to UpdateAccountAuditConfiguration"
            )
        merged: dict[str, Any] = {
            "roleArn": params.get("roleArn") or (current or {}).get("roleArn"),
            "auditNotificationTargetConfigurations": {
                **(current or {}).get("auditNotificationTargetConfigurations", {}),
                **{k: dict(v) for k, v in targets.items()},
            },
            "auditCheckConfigurations": dict((current or {}).get("auditCheckConfigurations", {})),
        }
        for name, value in validated.items():
            merged["auditCheckConfigurations"][name] = {
                **merged["auditCheckConfigurations"].get(name, {"enabled": False}),
                **value,
            }
        state.configuration = merged
    return {}


def _configuration(world: World) -> dict[str, Any]:
    current = world.audit_state.configuration or {}
    checks = current.get("auditCheckConfigurations", {})
    return {
        "roleArn": current.get("roleArn"),
        "auditNotificationTargetConfigurations": current.get("auditNotificationTargetConfigurations", {}),
        "auditCheckConfigurations": {
            name: {"enabled": False, **checks.get(name, {})} for name in sorted(CHECKS)
        },
    }


def describe_account_audit_configuration(
    world: World, params: Mapping[str, Any], options: ServiceOptions
) -> dict[str, Any]:
    """Every check AWS names, enabled or not; ``roleArn`` once configured."""
    described = _configuration(world)
    if described["roleArn"] is None:
        del described["roleArn"]
    return described


# -- tasks ---------------------------------------------------------------------------------------------


def start_on_demand_audit_task(
    world: World, params: Mapping[str, Any], options: ServiceOptions
) -> dict[str, Any]:
    names = check_names(params.get("targetCheckNames") or ())
    if not names:
        raise InvalidRequestException("targetCheckNames must name at least one audit check")
    configuration = _configuration(world)["auditCheckConfigurations"]
    disabled = [name for name in names if not configuration[name].get("enabled")]
    if disabled:
        raise InvalidRequestException(
            f"These checks are not enabled for this account: {', '.join(disabled)}. Enable them with "
            "UpdateAccountAuditConfiguration first"
        )
    custom = {name: configuration[name].get("configuration", {}) for name in names}
    report = run_checks(world, names, configurations=custom)
    task_id = uuid.uuid4().hex
    report = AuditReport(report.started, report.runs, report.account_id, report.region, task_id)
    state = world.audit_state
    stored: list[StoredFinding] = []
    for finding in report.findings:
        finding_id = str(uuid.uuid4())
        wire = {
            "findingId": finding_id,
            "taskId": task_id,
            "taskStartTime": report.started,
            "findingTime": report.started,
            **finding.to_wire(),
        }
        stored.append(StoredFinding(finding_id, task_id, finding, wire))
    with state.lock:
        state.tasks[task_id] = AuditTask(task_id, "COMPLETED", report, tuple(s.finding_id for s in stored))
        for item in stored:
            state.findings[item.finding_id] = item
    return {"taskId": task_id}


def _task(world: World, task_id: str) -> AuditTask:
    found = world.audit_state.tasks.get(task_id)
    if not isinstance(found, AuditTask):
        raise ResourceNotFoundException(f"The audit task {task_id} does not exist")
    return found


def audit_task(world: World, task_id: str) -> AuditTask:
    """A task's record, for the Python side (``World.audit`` keeps none; the operations do)."""
    return _task(world, task_id)


def describe_audit_task(world: World, params: Mapping[str, Any], options: ServiceOptions) -> dict[str, Any]:
    task = _task(world, params["taskId"])
    report = task.report
    return {
        "taskStatus": task.status,
        "taskType": TASK_TYPE,
        "taskStartTime": report.started,
        "taskStatistics": report.statistics(),
        "auditDetails": {run.name: run.details() for run in report.runs},
    }


def cancel_audit_task(world: World, params: Mapping[str, Any], options: ServiceOptions) -> dict[str, Any]:
    task = _task(world, params["taskId"])
    raise InvalidRequestException(
        f"The audit task {task.task_id} is {task.status}: only an audit that is IN_PROGRESS can be canceled "
        "(audits here complete before StartOnDemandAuditTask returns)"
    )


def _time(value: object, member: str) -> datetime.datetime:
    """A timestamp as botocore sends it: ISO 8601 in a query string or epoch seconds in a body."""
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        moment = datetime.datetime.fromtimestamp(value, datetime.timezone.utc)
    elif isinstance(value, str):
        try:
            moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            try:
                moment = datetime.datetime.fromtimestamp(float(value), datetime.timezone.utc)
            except ValueError:
                raise InvalidRequestException(f"{member} is not a valid timestamp: {value!r}") from None
    else:
        raise InvalidRequestException(f"{member} is not a valid timestamp: {value!r}")
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=datetime.timezone.utc)


def _window(params: Mapping[str, Any]) -> tuple[datetime.datetime, datetime.datetime]:
    start = _time(params["startTime"], "startTime")
    end = _time(params["endTime"], "endTime")
    if end < start:
        raise InvalidRequestException("endTime must not be before startTime")
    return start, end


def list_audit_tasks(world: World, params: Mapping[str, Any], options: ServiceOptions) -> dict[str, Any]:
    start, end = _window(params)
    state = world.audit_state
    with state.lock:
        tasks = [t for t in state.tasks.values() if isinstance(t, AuditTask)]
    chosen = [
        t
        for t in tasks
        if start <= t.report.started <= end
        and params.get("taskType") in (None, TASK_TYPE)
        and params.get("taskStatus") in (None, t.status)
    ]
    page, token = paginate(
        chosen,
        page_size=params.get("maxResults"),
        marker=params.get("nextToken"),
        size_member="maxResults",
        marker_member="nextToken",
    )
    result: dict[str, Any] = {
        "tasks": [{"taskId": t.task_id, "taskStatus": t.status, "taskType": TASK_TYPE} for t in page]
    }
    if token is not None:
        result["nextToken"] = token
    return result


# -- findings ------------------------------------------------------------------------------------------


def _matches(identifier: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    return all(identifier.get(key) == value for key, value in wanted.items())


def list_audit_findings(world: World, params: Mapping[str, Any], options: ServiceOptions) -> dict[str, Any]:
    task_id = params.get("taskId")
    has_window = params.get("startTime") is not None or params.get("endTime") is not None
    if (task_id is None) == (not has_window):
        raise InvalidRequestException("Specify either taskId or startTime and endTime, but not both")
    check = params.get("checkName")
    if check is not None:
        check_names([check], "checkName")
    state = world.audit_state
    with state.lock:
        stored = [f for f in state.findings.values() if isinstance(f, StoredFinding)]
        tasks = dict(state.tasks)
    if task_id is not None:
        if task_id not in tasks:
            raise InvalidRequestException(f"No audit task with id {task_id} exists")
        stored = [f for f in stored if f.task_id == task_id]
    else:
        if params.get("startTime") is None or params.get("endTime") is None:
            raise InvalidRequestException("startTime and endTime must be given together")
        start, end = _window(params)
        stored = [f for f in stored if start <= f.wire["taskStartTime"] <= end]
    if check is not None:
        stored = [f for f in stored if f.finding.check_name == check]
    wanted = params.get("resourceIdentifier")
    if wanted:
        stored = [f for f in stored if _matches(f.finding.resource.identifier, wanted)]
    page, token = paginate(
        stored,
        page_size=params.get("maxResults") or _DEFAULT_FINDINGS_PAGE,
        marker=params.get("nextToken"),
        size_member="maxResults",
        marker_member="nextToken",
    )
    result: dict[str, Any] = {"findings": [f.wire for f in page]}
    if token is not None:
        result["nextToken"] = token
    return result


def describe_audit_finding(
    world: World, params: Mapping[str, Any], options: ServiceOptions
) -> dict[str, Any]:
    found = world.audit_state.findings.get(params["findingId"])
    if not isinstance(found, StoredFinding):
        raise ResourceNotFoundException(f"The audit finding {params['findingId']} does not exist")
    return {"finding": found.wire}


#: The audit operations by their botocore names.
OPERATIONS = {
    "UpdateAccountAuditConfiguration": update_account_audit_configuration,
    "DescribeAccountAuditConfiguration": describe_account_audit_configuration,
    "StartOnDemandAuditTask": start_on_demand_audit_task,
    "DescribeAuditTask": describe_audit_task,
    "ListAuditTasks": list_audit_tasks,
    "CancelAuditTask": cancel_audit_task,
    "ListAuditFindings": list_audit_findings,
    "DescribeAuditFinding": describe_audit_finding,
}
