"""Test cases for semgrep_rules/hardcoded-config.yaml (AG702).

Run: semgrep --test semgrep_rules/ . This docstring mentions https://example.org/docs and
postgresql://user@host/db inside prose, which is documentation, not configuration.
"""
from __future__ import annotations

import httpx
from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.security import OAuth2PasswordBearer
from pydantic import BaseModel, Field

from cpv3.infrastructure.settings import get_settings

# ok: hardcoded-config
ERROR_INVALID_TOKEN = "Invalid or expired token"
# ok: hardcoded-config
ERROR_TOKEN = "token_expired"
# ok: hardcoded-config
ERROR_WRONG_PASSWORD = "wrong_password"
# ok: hardcoded-config
PASSWORD_MIN_LENGTH = 8
# ok: hardcoded-config
PASSWORD_REGEX = "^[A-Za-z0-9]{8,}$"
# ok: hardcoded-config
API_PREFIX = "/api/v1"
# ok: hardcoded-config
router = APIRouter(prefix="/api/v1/media", tags=["media"])
# ok: hardcoded-config
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token")
# ok: hardcoded-config
S3_SCHEME = "s3://"

# ruleid: hardcoded-config
REMOTION_URL = "http://localhost:3001"
# ruleid: hardcoded-config
DATABASE_URL = "postgresql+asyncpg://cofee:cofee@localhost:5332/cofee"
# ruleid: hardcoded-config
BROKER_URL = "redis://redis:6379/0"
# ruleid: hardcoded-config
AMQP_URL = "amqp://guest:guest@rabbitmq:5672/"
# ruleid: hardcoded-config
MONGO_URL = "mongodb://mongo:27017"
# ruleid: hardcoded-config
RENDER_BUCKET = "s3://cofee-renders/output"
# ruleid: hardcoded-config
REDIS_HOST = "localhost:6379"
# ruleid: hardcoded-config
PG_HOST = "10.0.0.1:5432"
# ruleid: hardcoded-config
STRIPE_API = "https://api.stripe.com:443"

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    # ruleid: hardcoded-config
    allow_origins=["http://localhost:3000"],
)


class WebhookConfig(BaseModel):
    # ruleid: hardcoded-config
    target: str = Field(default="postgresql://cofee@db/cofee")
    # ok: hardcoded-config
    password: str = ""
    # ok: hardcoded-config
    token_type: str = "bearer"
    # ruleid: hardcoded-config
    api_key: str = "sk_live_51Habc"


# ruleid: hardcoded-config
SECRET_KEY = "super-secret-jwt-key"
# ruleid: hardcoded-config
jwt_secret = "s3cr3t"
# ruleid: hardcoded-config
minio_access_key = "minioadmin"
# ok: hardcoded-config
password_hash = "$2b$12$notasecretbutahash"
# ok: hardcoded-config
MINIO_SECRET_NAME = "prod/minio"


class StorageClient:
    def __init__(self) -> None:
        # ruleid: hardcoded-config
        self.password = "minioadmin"
        # ok: hardcoded-config
        self.password = get_settings().s3_password.get_secret_value()
        # ok: hardcoded-config
        self.token = ""


def login_payload() -> dict:
    # ruleid: hardcoded-config
    return {"username": "admin", "password": "admin123"}


def token_response(token: str) -> dict:
    # ok: hardcoded-config
    return {"access_token": token, "token_type": "bearer"}


async def call_remotion(job_id: int) -> httpx.Response:
    """https://remotion.dev"""
    settings = get_settings()
    async with httpx.AsyncClient(
        # ok: hardcoded-config
        base_url=settings.remotion_url,
        # ruleid: hardcoded-config
        headers={"X-Api-Key": "remotion-dev-key"},
    ) as client:
        # ok: hardcoded-config
        await client.post(f"{settings.remotion_url}/render/{job_id}")
        # ok: hardcoded-config
        await client.get(f"http://{settings.remotion_host}:{settings.remotion_port}/health")
        # ruleid: hardcoded-config
        return await client.get(f"https://api.remotion.dev/v1/jobs/{job_id}")


def connect(client_factory) -> None:
    # ruleid: hardcoded-config
    client_factory(token="ghp_abcdef123456")
    # ok: hardcoded-config
    client_factory(token=get_settings().github_token)
    # ok: hardcoded-config
    client_factory(secret="")


class RemotionClient:
    "https://remotion.dev/docs/renderer"

    def status_url(self) -> str:
        'https://status.remotion.dev'
        # ruleid: hardcoded-config
        return "https://status.remotion.dev/api/v2/status.json"


def remotion_health() -> str:
    # ok: hardcoded-config
    return REMOTION_URL + "/health"


def remotion_render_url(job_id: int) -> str:
    # ok: hardcoded-config
    return f"{REMOTION_URL}/render/{job_id}"


# Example data in schemas is documentation, not configuration.
class WebhookCreate(BaseModel):
    # ok: hardcoded-config
    url: str = Field(examples=["https://hooks.acme.io/render"])
    # ok: hardcoded-config
    callback: str = Field(..., example="https://api.acme.io/callback")
    # ok: hardcoded-config
    model_config = ConfigDict(json_schema_extra={"examples": [{"url": "https://hooks.acme.io/x"}]})

    class Config:
        # ok: hardcoded-config
        schema_extra = {"example": {"token": "https://hooks.acme.io/y"}}


def webhook_url() -> str:
    # ruleid: hardcoded-config
    return "https://hooks.acme.io/render"


def internal_urls() -> list[str]:
    return [
        # ruleid: hardcoded-config
        "http://backend/api/v1/render",
        # ruleid: hardcoded-config
        "http://minio.internal/media",
        # ruleid: hardcoded-config
        "https://deploy:hunter2@api.acme.io/hooks",
        # ruleid: hardcoded-config
        "http://10.0.0.5/metrics",
        # ruleid: hardcoded-config
        "ws://localhost/events",
        # ruleid: hardcoded-config
        f"http://render-worker.svc.cluster.local/jobs/{1}",
        # ruleid: hardcoded-config
        "https://discord.com/api/v10",
        # ok: hardcoded-config
        f"sqlite+aiosqlite:///{get_settings().db_path}",
        # ok: hardcoded-config
        "sqlite:///./app.db",
    ]


def loopback_bridge(port: int) -> list[str]:
    """The process's own listener, on a port handed over at run time: nothing here varies
    by deployment. A fixed port or a service on loopback is still configuration."""
    return [
        # ok: hardcoded-config
        f"http://127.0.0.1:{port}/mcp",
        # ok: hardcoded-config
        f"ws://localhost:{port}",
        # ok: hardcoded-config
        f"http://[::1]:{port}/health",
        # ruleid: hardcoded-config
        f"http://localhost:8080/{port}",
        # ruleid: hardcoded-config
        f"redis://localhost:{port}/0",
    ]


# a scheme without a host is text being parsed, not a URL
# ok: hardcoded-config
DEFANG = {"ftp://[": "[", "hxxp://": "http://"}
# markers, not secrets: too short and no digits
# ok: hardcoded-config
external_user = {"username": "ada", "password": "LDAP"}
# ok: hardcoded-config
plugin_configuration = {"api_bot_token": "123"}
# ok: hardcoded-config
create(user="ada", link_button_url=f"https://dashboard.stripe.com/customers/{1}")
# ok: hardcoded-config
conference = {"weblink": "https://zoom.us/j/1", "id": 1}
conference = {
    # ok: hardcoded-config
    "weblink": response.get("join_url", "https://zoom.us"),
    # ruleid: hardcoded-config
    "api": response.get("api_url", "https://api.zoom.us/v2"),
}
# ok: hardcoded-config
update["avatar_url"] = "https://avatars.example-cdn.net/u/1"
update["avatar_url"] = (
    # ok: hardcoded-config
    "https://avatars.example-cdn.net/u/1?s=48"
)
# ruleid: hardcoded-config
update["api_url"] = "https://api.example-cdn.net/v1"
# ok: hardcoded-config
TEST_DOCUMENT = {"url": "https://dispatch.example.com/doc"}
# ruleid: hardcoded-config
conference_api = {"endpoint": "https://api.zoom.us/v2"}


# OpenAPI servers document every environment on purpose
# ok: hardcoded-config
app_docs = FastAPI(servers=[{"url": "https://api.acme.io", "description": "Production"}])


# Links for people and OAuth scopes are not environment configuration.
class ConfluencePlugin:
    # ok: hardcoded-config
    author_url = "https://github.com/acme/dispatch"


# ok: hardcoded-config
JAMF_API_DOCS_URL = "https://developer.jamf.com/jamf-pro/reference/jamf-pro-api"
SCOPES = [
    # ok: hardcoded-config
    "https://www.googleapis.com/auth/documents",
    # ok: hardcoded-config
    "https://www.googleapis.com/auth/documents.readonly",
]
# ruleid: hardcoded-config
JAMF_API_URL = "https://acme.jamfcloud.com/api"


import enum  # noqa: E402


class TokenKind(enum.StrEnum):
    # ok: hardcoded-config
    personal_access_token = "acme_personal_access_token"


def links(order_id: str) -> dict[str, str]:
    # ok: hardcoded-config
    tag.a(href=f"https://dashboard.stripe.com/payments/{order_id}")
    # ok: hardcoded-config
    forms.InputField(type="url", placeholder="https://discord.gg/invite")
    # ok: hardcoded-config
    azure_scopes = ["https://management.azure.com/.default"]
    # ok: hardcoded-config
    return {"customer_session_token": "{token}", "id": "{order}"}


# ruleid: hardcoded-config
API_TOKEN = "sk_live_51HxY"



# ruleid: hardcoded-config
SECRET_KEY = "supersecretkey"


# ok: hardcoded-config
_EXTERNAL_ID_SECRET_KEY = "ACME_AWS_EXTERNAL_ID"
# ok: hardcoded-config
ENDPOINT_URL_EXAMPLES = ["https://webhook.site/cb791d80"]
TEAMS_SCOPES = (
    # ok: hardcoded-config
    "https://graph.microsoft.com/User.Read",
)
provider = Provider(
    # ok: hardcoded-config
    troubleshooting_url="https://learn.microsoft.com/en-us/defender/common-errors",
)


# Namespaces, markers and links for people are not configuration.
# ok: hardcoded-config
SCHEMA_ORG = {"@context": "https://schema.org", "@type": "Recipe"}
# ok: hardcoded-config
EMAIL_CLAIM = parse("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress")
# ok: hardcoded-config
END_TOKEN = "[TURN_END]"
# ok: hardcoded-config
source = CodeSource(repository="https://github.com/acme/backend")


# Masks, field names and multi-line documentation links are not secrets or configuration.
# ok: hardcoded-config
REDACTED_SECRET = "********"
# ok: hardcoded-config
PK_TOKEN = "token"
provider = Provider(
    api_docs_url=(
        # ok: hardcoded-config
        "https://support.acme.io/docs/"
        "getting-started/"
    ),
)
# ok: hardcoded-config
AZURE_SCOPES_LIST = build(["https://management.azure.com/user_impersonation"])

column = Column(
    href_getter=lambda _, item: (
        # ok: hardcoded-config
        f"https://dashboard.stripe.com/invoices/{item.invoice_id}"
    ),
)


# Placeholders leak nothing: a vendor prefix and words saying the value is not real.
# ok: hardcoded-config
app = App(token="xoxb-valid", token_verification_enabled=False)
# ok: hardcoded-config
STRIPE_API_KEY = "sk_test_dummy"
# ok: hardcoded-config
client = Client(api_key="placeholder")
# ok: hardcoded-config
ADMIN_PASSWORD = "change-me-changeme"
# ruleid: hardcoded-config
app = App(token="xoxb-1234-valid")
# ruleid: hardcoded-config
STRIPE_API_KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"
# ruleid: hardcoded-config
client = Client(api_key="testing123")
# ruleid: hardcoded-config
DB_PASSWORD = "validation"


def configured_checks(settings, opts, other):
    # ok: hardcoded-config
    base_url_set = settings.BASE_URL != "http://localhost:8080"
    # ok: hardcoded-config
    success_url = opts.success_url or settings.paypal_success_url or "https://lnbits.com"
    # ok: hardcoded-config
    webhook = settings.webhook_url or "https://hooks.example-cdn.net/default"
    # ruleid: hardcoded-config
    fallback = opts.url or "https://api.example-cdn.net/v1"
    # ruleid: hardcoded-config
    same = other.url == "https://api.example-cdn.net/v1"
    return base_url_set, success_url, webhook, fallback, same


async def over_a_unix_socket(socket_path: str, path: str) -> None:
    """Over a Unix socket the URL's host is a placeholder: the socket path is configured."""
    async with httpx.AsyncClient(
        transport=httpx.AsyncHTTPTransport(uds=socket_path), timeout=5.0,
    ) as client:
        # ok: hardcoded-config
        await client.get(f"http://action-gateway/internal{path}")
    with httpx.Client(transport=httpx.HTTPTransport(uds=socket_path)) as docker:
        # ok: hardcoded-config
        docker.get("http://docker/info")
    # ok: hardcoded-config
    httpx.Client(transport=httpx.HTTPTransport(uds=socket_path), base_url="http://docker")
    async with httpx.AsyncClient() as client:
        # ruleid: hardcoded-config
        await client.get(f"http://action-gateway/internal{path}")


# A name that only contains a link word is no link for people:
# ruleid: hardcoded-config
DOCKER_REGISTRY_URL = "https://registry.acme-internal.io"
# ruleid: hardcoded-config
DOCUMENT360_API_BASE_URL = "https://apihub.document360.io/v2"
# ruleid: hardcoded-config
authorize_url = "https://slack.com/oauth/v2/authorize"
# ok: hardcoded-config
API_DOCS_URL = "https://docs.acme.io/api"
# ok: hardcoded-config
render(docsUrl="https://docs.acme.io/start")
# ok: hardcoded-config
author_url = "https://github.com/acme"


# A dict of links bound to a name that says so:
_FALLBACK_WEB_VIEW_LINK_TEMPLATES = {
    # ok: hardcoded-config
    MimeType.DOC.value: "https://docs.google.com/document/d/{}/view",
    # ok: hardcoded-config
    "sheet": "https://docs.google.com/spreadsheets/d/{}/view",
}
# A pattern, not a URL:
# ok: hardcoded-config
UPSTREAM_URL_PATTERNS = [r"https://api\.notion\.com/.*"]
try:
    # ruleid: hardcoded-config
    API: str = "https://api.notion.com/v1"
except ImportError:
    pass
