"""All models, imported so the metadata is complete."""

from service.models.audit import AuditEvent
from service.models.cadres import Cadre, CadreMeasure
from service.models.calendar import HolidayOverride
from service.models.cases import Case, CaseLink, Recusal, RecusalRequest, ReferenceCounter
from service.models.deadlines import CalendarRevision, DeadlineExtension, DeadlineSuspension, HolidayYear
from service.models.documents import Attachment, CaseArchive, Document, DocumentCounter
from service.models.ops import WorkerHeartbeat
from service.models.org import AccessGrant, ActingAppointment, Department, Position
from service.models.processes import ProcessVersion
from service.models.reporters import Reporter
from service.models.users import ApiToken, LoginAttempt, LoginThrottle, User, UserSession
from service.models.work import Timer, WorkItem

__all__ = [
    "AccessGrant", "ActingAppointment", "Department", "Position",
    "ApiToken", "Attachment", "AuditEvent", "Cadre", "CadreMeasure", "CaseArchive", "Document", "DocumentCounter",
    "CalendarRevision", "Case", "CaseLink", "DeadlineExtension", "DeadlineSuspension",
    "HolidayOverride", "HolidayYear", "LoginAttempt", "LoginThrottle", "ProcessVersion",
    "Recusal", "RecusalRequest", "ReferenceCounter", "Reporter", "Timer", "User", "UserSession", "WorkerHeartbeat",
    "WorkItem",
]
