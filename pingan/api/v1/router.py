"""The JSON API, version 1: the stable contract of docs/architecture.md.

Bearer tokens (POST /auth/token) authenticate every call by default; the browser's
session is accepted too, so the pages can call the API. The authenticated user is
`request.auth`. Errors have one shape (see `errors.py`).
"""

from __future__ import annotations

from ninja import NinjaAPI

from pingan.api.v1 import cases, errors, inputs
from pingan.api.v1.assessment import router as assessment_router
from pingan.api.v1.attachments import router as attachments_router
from pingan.api.v1.auth import BearerToken, BrowserSession, tokens_router
from pingan.api.v1.auth import router as auth_router
from pingan.api.v1.briefings import router as briefings_router
from pingan.api.v1.campaigns import router as campaigns_router
from pingan.api.v1.channels import intake_router
from pingan.api.v1.channels import router as channels_router
from pingan.api.v1.docs import LocalSwagger
from pingan.api.v1.emergency import router as emergency_router
from pingan.api.v1.events import router as events_router
from pingan.api.v1.exports import router as exports_router
from pingan.api.v1.field import router as field_router
from pingan.api.v1.field_mediation import router as field_mediation_router
from pingan.api.v1.gridsys import router as gridsys_router
from pingan.api.v1.inspections import router as inspections_router
from pingan.api.v1.leads import router as leads_router
from pingan.api.v1.mediation import router as mediation_router
from pingan.api.v1.mediation_documents import router as mediation_documents_router
from pingan.api.v1.mediation_stats import router as mediation_stats_router
from pingan.api.v1.patrols import router as patrols_router
from pingan.api.v1.places import router as places_router
from pingan.api.v1.places_cameras import router as places_cameras_router
from pingan.api.v1.rectification import router as rectification_router
from pingan.api.v1.reference import router as reference_router
from pingan.api.v1.registry import router as registry_router
from pingan.api.v1.risk import router as risk_router
from pingan.api.v1.safety import router as safety_router
from pingan.api.v1.screenings import router as screenings_router
from pingan.api.v1.stats import router as stats_router
from pingan.api.v1.surveys import router as surveys_router
from pingan.api.v1.triage import router as triage_router

api = NinjaAPI(
    title="Pingan API",
    version="1",
    description="平安基层社会治理平台接口。先以 POST /auth/token 换取令牌，"
    "之后每次请求带 `Authorization: Bearer <令牌>`。"
    '错误统一为 `{"error": {"code", "message", "fields"}}`。',
    urls_namespace="api-v1",
    auth=[BearerToken(), BrowserSession()],
    docs=LocalSwagger(),
    openapi_url="/openapi.json",
    docs_url="/docs",
)
errors.install(api)
inputs.install(api)  # every operation's input: bounded integers and dates, clean text

api.add_router("/", auth_router)
api.add_router("/", reference_router)
api.add_router("/", exports_router)  # before events: /events/export is not /events/{id}
api.add_router("/", events_router)
api.add_router("/", stats_router)
api.add_router("/", attachments_router)
api.add_router("/", intake_router)
api.add_router("/", channels_router)
api.add_router("/", briefings_router)
api.add_router("/", patrols_router)
api.add_router("/", field_router)
api.add_router("/", field_mediation_router)  # 就地调解: POST /field/mediations
api.add_router("/", gridsys_router)
api.add_router("/", leads_router)
api.add_router("/", triage_router)
api.add_router("/", mediation_router)
api.add_router("/", mediation_stats_router)
api.add_router("/", mediation_documents_router)
api.add_router("/", registry_router)
api.add_router("/", places_router)
api.add_router("/", places_cameras_router)  # /registry/cameras/near before /{camera_id}
api.add_router("/", risk_router)
api.add_router("/", emergency_router)
api.add_router("/", screenings_router)
api.add_router("/", assessment_router)
api.add_router("/", inspections_router)
api.add_router("/", rectification_router)
api.add_router("/", campaigns_router)
api.add_router("/", surveys_router)
api.add_router("/", safety_router)
# POST /<kind>/{id}/transitions for every other case kind (the event's is in events.py,
# mediation's at /mediation/cases/{id}/transitions in mediation.py).
cases.install(own={"events", "mediation", "risk", "activation"})
api.add_router("/", cases.router)
# Last: DELETE /auth/token ends the caller's token (see auth.tokens_router).
api.add_router("/", tokens_router)
