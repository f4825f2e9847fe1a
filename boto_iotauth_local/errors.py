"""The service errors AWS IoT models, as plain Python exceptions.

The world and the services raise these; only the wire layer turns them into HTTP. Each class carries the
error code and the HTTP status the botocore model gives it, so code that never touches botocore (the
engine, a world built in a script) still speaks the service's language.
"""

from __future__ import annotations

from typing import Any, ClassVar


class ServiceError(Exception):
    """An error the AWS IoT service would return, with its modeled code and status."""

    code: ClassVar[str] = "InternalFailureException"
    status: ClassVar[int] = 500

    def __init__(self, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.message = message
        #: Extra modeled members of the error shape (for example ``resourceId``).
        self.fields: dict[str, Any] = fields

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ServiceError)
            and other.code == self.code
            and other.message == self.message
            and other.fields == self.fields
        )

    def __hash__(self) -> int:
        return hash((self.code, self.message))


class InvalidRequestException(ServiceError):
    """The request is not valid (400)."""

    code = "InvalidRequestException"
    status = 400


class InvalidResponseException(ServiceError):
    """A custom authorizer's response is not valid (400)."""

    code = "InvalidResponseException"
    status = 400


class MalformedPolicyException(ServiceError):
    """A policy document is not valid (400)."""

    code = "MalformedPolicyException"
    status = 400


class ThrottlingException(ServiceError):
    """The rate exceeds the limit (400)."""

    code = "ThrottlingException"
    status = 400


class UnauthorizedException(ServiceError):
    """The caller is not authorized (401)."""

    code = "UnauthorizedException"
    status = 401


class CertificateValidationException(ServiceError):
    """The certificate is invalid (400)."""

    code = "CertificateValidationException"
    status = 400


class ResourceNotFoundException(ServiceError):
    """The specified resource does not exist (404)."""

    code = "ResourceNotFoundException"
    status = 404


class CertificateStateException(ServiceError):
    """The certificate is in an invalid state for the operation (406)."""

    code = "CertificateStateException"
    status = 406


class ResourceAlreadyExistsException(ServiceError):
    """The resource already exists (409); carries ``resourceId`` and ``resourceArn``."""

    code = "ResourceAlreadyExistsException"
    status = 409


class DeleteConflictException(ServiceError):
    """The resource cannot be deleted in its current state (409)."""

    code = "DeleteConflictException"
    status = 409


class VersionsLimitExceededException(ServiceError):
    """The policy already has the maximum number of versions (409)."""

    code = "VersionsLimitExceededException"
    status = 409


class VersionConflictException(ServiceError):
    """The expected version does not match (409)."""

    code = "VersionConflictException"
    status = 409


class LimitExceededException(ServiceError):
    """A limit has been exceeded (410)."""

    code = "LimitExceededException"
    status = 410


class InternalFailureException(ServiceError):
    """An unexpected error occurred (500)."""

    code = "InternalFailureException"
    status = 500


class ServiceUnavailableException(ServiceError):
    """The service is temporarily unavailable (503)."""

    code = "ServiceUnavailableException"
    status = 503


#: Every modeled error class by its code, for fault injection and for the wire layer.
ERRORS_BY_CODE: dict[str, type[ServiceError]] = {
    cls.code: cls
    for cls in (
        InvalidRequestException,
        InvalidResponseException,
        MalformedPolicyException,
        ThrottlingException,
        UnauthorizedException,
        CertificateValidationException,
        ResourceNotFoundException,
        CertificateStateException,
        ResourceAlreadyExistsException,
        DeleteConflictException,
        VersionsLimitExceededException,
        VersionConflictException,
        LimitExceededException,
        InternalFailureException,
        ServiceUnavailableException,
    )
}
