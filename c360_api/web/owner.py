"""The small-business owner's pages: sign up, sign in, upload a sales export, follow its job, read
its results, open its workspace dashboard, delete it.

They sit on the same services as the `/api/auth`, `/api/jobs` and `/workspaces` routes (the
upload page's script calls those routes with the session cookie and the CSRF header), so the
browser and curl see the same numbers and the same refusals. A page without a signed-in user
sends the browser to the login page; another user's job or workspace is a 404 page.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from c360_api.accounts.deps import get_accounts
from c360_api.accounts.errors import EmailTakenError
from c360_api.accounts.schemas import Credentials
from c360_api.accounts.session import (
    CSRF_FIELD,
    check_csrf,
    csrf_token,
    end_session,
    keep_csrf,
    session_user,
    start_session,
)
from c360_api.accounts.tokens import TokenCodec
from c360_api.api.params import IsoDate
from c360_api.catalog.registry import AREAS, BY_ID, CATALOG
from c360_api.core.ratelimit import check_login_rate, check_rate_limit
from c360_api.exceptions import C360Error, NotFoundError
from c360_api.uploads.service import UploadService
from c360_api.uploads.states import FAILED, SUCCEEDED
from c360_api.web.dashboard import environment, render_dashboard, tile_fields
from c360_contract.uploads import REQUIRED_TARGETS, TARGETS
from c360_contract.vocabulary import CLUSTERING_METHODS

router = APIRouter(include_in_schema=False)
HOME = "/app/jobs"
LOGIN = "/app/login"
StartDate = Annotated[IsoDate | None, Query()]
EndDate = Annotated[IsoDate | None, Query()]


class SignInRequiredError(Exception):
    """Raised by a page without a signed-in user: the handler answers a redirect to the login."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


def _service(request: Request) -> UploadService:
    service: UploadService = request.app.state.uploads
    return service


def _local(path: str | None) -> str:
    """`path` when it is a path of this site (never another host), else the home page."""
    if path and path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return HOME


def _user(request: Request) -> str:
    user_id = session_user(request)
    if user_id is None:
        raise SignInRequiredError(request.url.path)
    return user_id


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page with the CSRF token its forms and scripts repeat (and the cookie, when new)."""
    token = csrf_token(request)
    body = (
        environment()
        .get_template(template)
        .render(csrf=token, csrf_field=CSRF_FIELD, signed_in=session_user(request), **context)
    )
    response = HTMLResponse(body, status_code=status)
    keep_csrf(response, request, token)
    return response


def not_found(request: Request, message: str) -> HTMLResponse:
    return page(request, "message.html", 404, title="Not found", message=message)


def _field_errors(exc: ValidationError) -> dict[str, str]:
    messages = {
        "email": "Enter an email address, like owner@shop.example.",
        "password": "Choose a password of 8 to 128 characters.",
    }
    return {str(e["loc"][0]): messages.get(str(e["loc"][0]), e["msg"]) for e in exc.errors()}


async def _credentials_form(request: Request) -> tuple[dict[str, str], str]:
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    check_csrf(request, fields.get(CSRF_FIELD))
    return fields, _local(fields.get("next"))


def _signed_in(request: Request, user_id: str, target: str) -> Response:
    tokens: TokenCodec = request.app.state.tokens
    issued = tokens.issue(user_id)
    response = RedirectResponse(target, status_code=303)
    start_session(response, request, issued.token, issued.expires_in)
    return response


@router.get("/app", response_class=HTMLResponse)
def app_home() -> Response:
    return RedirectResponse(HOME, status_code=303)


@router.get("/app/register", response_class=HTMLResponse)
def register_page(request: Request, next: str | None = None) -> Response:
    return page(request, "register.html", title="Create an account", next=_local(next), errors={})


@router.post("/app/register", response_class=HTMLResponse)
async def register(request: Request) -> Response:
    fields, target = await _credentials_form(request)
    email = fields.get("email", "")
    status = 422
    try:
        check_rate_limit(request)  # a hash costs CPU: the caller's budget, as on the API's route
        credentials = Credentials(email=email, password=fields.get("password", ""))
        accounts = await get_accounts(request)
        user = await run_in_threadpool(accounts.register, credentials.email, credentials.password)
    except ValidationError as exc:
        errors = _field_errors(exc)
    except EmailTakenError as exc:
        errors = {"email": exc.message + ": sign in instead."}
    except C360Error as exc:  # the rate limit
        errors, status = {"form": exc.message}, exc.status_code
    else:
        return _signed_in(request, user.id, target)
    return page(
        request, "register.html", status, title="Create an account", next=target, errors=errors,
        email=email,
    )  # fmt: skip


@router.get("/app/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> Response:
    return page(request, "login.html", title="Sign in", next=_local(next), errors={})


@router.post("/app/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    fields, target = await _credentials_form(request)
    email = fields.get("email", "")
    try:
        check_login_rate(request)
    except C360Error as exc:
        return page(
            request, "login.html", exc.status_code, title="Sign in", next=target,
            errors={"form": exc.message}, email=email,
        )  # fmt: skip
    accounts = await get_accounts(request)
    user = await run_in_threadpool(accounts.authenticate, email, fields.get("password", ""))
    if user is None:
        return page(
            request, "login.html", 401, title="Sign in", next=target,
            errors={"form": "Wrong email or password."}, email=email,
        )  # fmt: skip
    return _signed_in(request, user.id, target)


@router.post("/app/logout")
async def logout(request: Request) -> Response:
    form = await request.form()
    token = form.get(CSRF_FIELD)
    check_csrf(request, token if isinstance(token, str) else None)
    response = RedirectResponse(LOGIN, status_code=303)
    end_session(response)
    return response


@router.get("/app/upload", response_class=HTMLResponse)
def upload_page(request: Request) -> Response:
    _user(request)
    return page(
        request,
        "upload.html",
        title="Upload a sales export",
        targets=TARGETS,
        required=REQUIRED_TARGETS,
        methods=CLUSTERING_METHODS,
        max_mb=_service(request).max_bytes / 1_000_000,
    )


@router.get("/app/jobs", response_class=HTMLResponse)
def jobs_page(request: Request) -> Response:
    owner = _user(request)
    jobs = _service(request).jobs.list(owner)
    return page(request, "jobs.html", title="Your uploads", jobs=jobs)


@router.get("/app/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: str) -> Response:
    owner = _user(request)
    service = _service(request)
    try:
        job = service.jobs.owned(owner, job_id)
    except NotFoundError:
        return not_found(request, f"You have no upload {job_id}.")
    found = service.results(owner, job_id) if job.state == SUCCEEDED else None
    return page(
        request,
        "job.html",
        title=job.file_name,
        job=job,
        failed=job.state == FAILED,
        results=found,
        tiles=tile_fields(BY_ID["kpi_summary"]),
    )


@router.get("/app/jobs/{job_id}/delete", response_class=HTMLResponse)
def delete_page(request: Request, job_id: str) -> Response:
    owner = _user(request)
    try:
        job = _service(request).jobs.owned(owner, job_id)
    except NotFoundError:
        return not_found(request, f"You have no upload {job_id}.")
    return page(request, "delete.html", title=f"Delete {job.file_name}?", job=job)


@router.post("/app/jobs/{job_id}/delete")
async def delete(request: Request, job_id: str) -> Response:
    owner = _user(request)
    form = await request.form()
    token = form.get(CSRF_FIELD)
    check_csrf(request, token if isinstance(token, str) else None)
    try:
        await run_in_threadpool(_service(request).delete, owner, job_id)
    except NotFoundError:
        return not_found(request, f"You have no upload {job_id}.")
    return RedirectResponse(HOME, status_code=303)


@router.get("/workspaces/{workspace_id}/", response_class=HTMLResponse)
def workspace_dashboard(
    request: Request, workspace_id: str, start: StartDate = None, end: EndDate = None
) -> Response:
    """The dashboard's one template over the workspace's routes (its owner's cookie opens them)."""
    owner = _user(request)
    service = _service(request)
    try:
        job = service.jobs.owned_workspace(owner, workspace_id)
    except NotFoundError:
        return not_found(request, f"You have no workspace {workspace_id}.")
    if job.state != SUCCEEDED:
        return RedirectResponse(f"/app/jobs/{job.id}", status_code=303)
    store = service.workspaces.get(owner, workspace_id)
    html = render_dashboard(
        store, CATALOG, AREAS, base=f"/workspaces/{workspace_id}", start=start, end=end,
        heading=f"Your upload: {job.file_name}", job_id=job.id,
    )  # fmt: skip
    return HTMLResponse(html)


def sign_in_redirect(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequiredError)
    query = request.url.query
    target = exc.path + (f"?{query}" if query else "")
    return RedirectResponse(f"{LOGIN}?next={quote(target)}", status_code=303)


def install_pages(app: Any) -> None:
    app.include_router(router)
    app.add_exception_handler(SignInRequiredError, sign_in_redirect)
