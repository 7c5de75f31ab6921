"""Who is asking: the teacher (the teacher code), a student (their token), or nobody.

API clients send `Authorization: Bearer <teacher code | student token>`; pages send cookies
instead: the teacher's a login session in the store (`tp_teacher`, as the access code's), the
student's their token (`tp_student`, HttpOnly). Missing or wrong credentials are 401; right
credentials of the other role are 403, and so is a student on another class's data (the
routes check that). Wrong bearer tokens cost the client: past `FAILURES_BURST` of them, at
`FAILURES_PER_MINUTE` on average, its attempts are refused with 429 before any check, so the
teacher code cannot be guessed at speed (student tokens are 256 random bits).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

from app.classroom.store import ClassroomStore, StudentRow
from app.config import Settings
from app.errors import Forbidden, LoginThrottled, Unauthorized
from app.ratelimit import RateLimiter
from app.web.deps import get_client
from app.web.sessions import SessionStore, code_fingerprint

TEACHER_COOKIE = "tp_teacher"
STUDENT_COOKIE = "tp_student"
FAILURES_BURST = 60
FAILURES_PER_MINUTE = 30


@dataclass(frozen=True, slots=True)
class Teacher:
    """The one teacher role: whoever holds the teacher code."""


@dataclass
class ClassroomGate:
    settings: Settings
    store: ClassroomStore
    sessions: SessionStore
    failures: RateLimiter = field(
        default_factory=lambda: RateLimiter(FAILURES_PER_MINUTE, FAILURES_BURST)
    )

    @property
    def fingerprint(self) -> str:
        return code_fingerprint(self._code(), purpose="teacher code")

    def _code(self) -> str:
        code = self.settings.teacher_code
        return "" if code is None else code.get_secret_value()

    def is_teacher_code(self, given: str) -> bool:
        return bool(self._code()) and hmac.compare_digest(given.encode(), self._code().encode())

    def refuse_if_throttled(self, client: str) -> None:
        """429 while this client has no free wrong attempts left (checked before any check)."""
        wait = self.failures.wait_s(client)
        if wait:
            seconds = self.failures.retry_after_s(wait)
            raise LoginThrottled(
                f"too many wrong codes or tokens; try again in {seconds} s", seconds
            )

    def failed(self, client: str) -> None:
        """Count a wrong code or token against this client's free ones."""
        self.failures.take(client)

    async def identify(self, request: Request, prefer: str) -> Teacher | StudentRow | None:
        """The bearer's identity; without one, the cookie of the `prefer`red role first."""
        header = request.headers.get("authorization", "")
        if header:
            scheme, _, given = header.partition(" ")
            given = given.strip()
            client = get_client(request)
            self.refuse_if_throttled(client)
            if scheme.lower() == "bearer" and given:
                if self.is_teacher_code(given):
                    return Teacher()
                student = await self.store.student_by_token(given)
                if student is not None:
                    return student
            self.failed(client)
            raise Unauthorized("the bearer token is neither the teacher code nor a student's token")
        teacher = await self._teacher_cookie(request)
        student = await self._student_cookie(request)
        if prefer == "teacher":
            return teacher or student
        return student or teacher

    async def _teacher_cookie(self, request: Request) -> Teacher | None:
        session = request.cookies.get(TEACHER_COOKIE, "")
        if session and await self.sessions.valid(session, self.fingerprint):
            return Teacher()
        return None

    async def _student_cookie(self, request: Request) -> StudentRow | None:
        token = request.cookies.get(STUDENT_COOKIE, "")
        return await self.store.student_by_token(token) if token else None


async def classroom_gate(request: Request) -> ClassroomGate:
    return request.app.state.classroom_gate


GateDep = Annotated[ClassroomGate, Depends(classroom_gate)]


async def require_teacher(request: Request, gate: GateDep) -> Teacher:
    who = await gate.identify(request, prefer="teacher")
    if who is None:
        raise Unauthorized("send the teacher code as a bearer token")
    if not isinstance(who, Teacher):
        raise Forbidden("a student's token does not open the teacher's routes")
    return who


async def require_student(request: Request, gate: GateDep) -> StudentRow:
    who = await gate.identify(request, prefer="student")
    if who is None:
        raise Unauthorized("send your token from the join as a bearer token")
    if not isinstance(who, StudentRow):
        raise Forbidden("this route is a student's; the teacher code is not a student's token")
    return who


async def require_member(request: Request, gate: GateDep) -> Teacher | StudentRow:
    who = await gate.identify(request, prefer="teacher")
    if who is None:
        raise Unauthorized("send the teacher code or a student's token as a bearer token")
    return who


TeacherDep = Annotated[Teacher, Depends(require_teacher)]
StudentDep = Annotated[StudentRow, Depends(require_student)]
MemberDep = Annotated[Teacher | StudentRow, Depends(require_member)]
