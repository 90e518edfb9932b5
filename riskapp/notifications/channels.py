"""The channels' adapters: e-mail over SMTP, SMS through the eSMS.vn HTTP API, Zalo ZNS.

Each `send_*` returns the provider's message id, or raises:
- Permanent: this message can never be delivered (invalid number, template refused) — the
  delivery goes straight to the dead-letter list with the provider's reason;
- RateLimited: the provider asked to wait (HTTP 429 with Retry-After, a quota code);
- Temporary: anything else (network, 5xx, unknown code): retried with exponential backoff.
A channel is on only when its settings are present (from the environment, never the database).

SMS: eSMS.vn "SendMultipleMessage_V4_post_json" (JSON body ApiKey, SecretKey, Phone, Content,
Brandname, SmsType "2" = customer-care brandname, IsUnicode "1", RequestId; answer CodeResult
"100" and SMSID on success). eSMS accepts Unicode, so Vietnamese keeps its diacritics.
ZNS: POST message/template with the `access_token` header and JSON phone, template_id,
template_data, tracking_id; answer {"error": 0, "data": {"msg_id": …}} or a negative code.
"""

from __future__ import annotations

import json
import smtplib
import urllib.error
import urllib.parse
import urllib.request
from email.utils import parsedate_to_datetime

from flask import current_app

from riskapp.mail import send_mail
from riskapp.models.types import utcnow
from riskapp.notifications.kinds import EMAIL, SMS, ZNS

HTTP_TIMEOUT = 10
DEFAULT_RETRY_AFTER = 60


class ChannelError(Exception):
    def __init__(self, reason: str, code: int | None = None):
        super().__init__(reason)
        self.reason, self.code = reason, code


class Permanent(ChannelError):
    pass


class Temporary(ChannelError):
    pass


class RateLimited(ChannelError):
    def __init__(self, reason: str, seconds: float, code: int | None = None):
        super().__init__(reason, code)
        self.seconds = seconds


# eSMS CodeResult values that no retry can fix (the account, brandname or message is refused).
ESMS_PERMANENT = {
    "101": "wrong ApiKey or SecretKey",
    "102": "account locked",
    "103": "balance too low",
    "104": "brandname not registered",
    "118": "invalid SMS type",
    "119": "advertising brandname needs at least 20 numbers",
    "131": "message too long",
    "146": "content does not match the registered template",
    "789": "invalid phone number",
}
ZNS_PERMANENT = {
    -108: "invalid phone number",
    -109: "invalid template id",
    -111: "template data empty",
    -112: "template data invalid",
    -114: "user inactive or blocked Zalo notifications",
    -118: "no Zalo account for this phone number",
    -119: "this Zalo account cannot receive ZNS",
    -131: "template not approved",
    -139: "user refused ZNS from this account",
}
ZNS_QUOTA = {-115: "out of ZNS quota", -144: "daily ZNS quota exceeded"}
ZNS_TOKEN = -124


def configured(channel: str, kind: str | None = None) -> bool:
    """Is this channel (for this kind) on for this site? In-app always is."""
    config = current_app.config
    if channel == EMAIL:
        # Tests read the outbox instead of an SMTP server.
        return bool(config.get("MAIL_SERVER") or config.get("MAIL_OUTBOX", current_app.testing))
    if channel == SMS:
        return all(config.get(name) for name in ("SMS_GATEWAY_URL", "SMS_API_KEY",
                                                  "SMS_SECRET_KEY", "SMS_BRANDNAME"))
    if channel == ZNS:
        ready = bool(config.get("ZNS_API_URL") and config.get("ZNS_ACCESS_TOKEN"))
        return ready and (kind is None or bool(zns_template(kind)))
    return True


def zns_template(kind: str) -> str | None:
    return (current_app.config.get("ZNS_TEMPLATES") or {}).get(kind)


# --------------------------------------------------------------------------- e-mail


def send_email(to: str, subject: str, body: str, message_id: str) -> str:
    """SMTP; a 5xx answer (unknown mailbox, refused) is permanent, the rest temporary."""
    try:
        send_mail(to, subject, body, message_id=message_id)
    except smtplib.SMTPRecipientsRefused as error:
        code, text = next(iter(error.recipients.values()))
        raise _smtp_error(code, text) from error
    except smtplib.SMTPResponseException as error:
        raise _smtp_error(error.smtp_code, error.smtp_error) from error
    except (smtplib.SMTPException, OSError) as error:
        raise Temporary(f"{type(error).__name__}: {error}") from error
    return message_id


def _smtp_error(code: int, text) -> ChannelError:
    reason = f"SMTP {code}: {text.decode(errors='replace') if isinstance(text, bytes) else text}"
    return Permanent(reason, code) if code >= 500 else Temporary(reason, code)


# --------------------------------------------------------------------------- HTTP providers


def post_json(url: str, payload: dict, headers: dict[str, str]) -> tuple[int, dict, dict]:
    """(status, response headers, JSON body or {}); network errors raise Temporary."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise Permanent(f"the provider's URL must be http(s): {url}")
    request = urllib.request.Request(  # noqa: S310 - http(s) only, the operator's setting
        url, data=json.dumps(payload, ensure_ascii=False).encode(), method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", **headers})
    try:
        # http(s) only (checked above); the URL is the operator's setting, not user input.
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:  # noqa: S310 # nosec B310
            status, head, raw = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        status, head, raw = error.code, dict(error.headers or {}), error.read()
    except OSError as error:
        raise Temporary(f"{type(error).__name__}: {error}") from error
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        body = {}
    return status, head, body if isinstance(body, dict) else {}


def retry_after(headers: dict) -> float:
    """Seconds from a Retry-After header (seconds or an HTTP date); a minute if absent."""
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if not value:
        return DEFAULT_RETRY_AFTER
    if value.strip().isdigit():
        return float(value)
    try:
        return max(0.0, (parsedate_to_datetime(value) - utcnow()).total_seconds())
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER


def _http_status(status: int, headers: dict) -> None:
    if status == 429:
        raise RateLimited("HTTP 429: rate limited", retry_after(headers), 429)
    if status >= 500 or status in (408, 409):
        raise Temporary(f"HTTP {status}", status)
    if status >= 400:
        raise Permanent(f"HTTP {status}", status)


def send_sms(phone: str, text: str, request_id: str) -> str:
    config = current_app.config
    status, headers, body = post_json(config["SMS_GATEWAY_URL"], {
        "ApiKey": config["SMS_API_KEY"], "SecretKey": config["SMS_SECRET_KEY"],
        "Phone": phone, "Content": text, "Brandname": config["SMS_BRANDNAME"],
        "SmsType": "2", "IsUnicode": "1", "Sandbox": "0", "RequestId": request_id,
    }, {})
    _http_status(status, headers)
    code = str(body.get("CodeResult", ""))
    if code == "100":
        return str(body.get("SMSID") or request_id)
    message = body.get("ErrorMessage") or ESMS_PERMANENT.get(code) or "unknown error"
    reason = f"eSMS {code or '?'}: {message}"
    if code in ESMS_PERMANENT:
        raise Permanent(reason, status)
    raise Temporary(reason, status)


def send_zns(phone: str, kind: str, data: dict, tracking_id: str) -> str:
    config = current_app.config
    status, headers, body = post_json(config["ZNS_API_URL"], {
        "phone": phone, "template_id": zns_template(kind),
        "template_data": {key: str(value) for key, value in data.items()},
        "tracking_id": tracking_id,
    }, {"access_token": config["ZNS_ACCESS_TOKEN"]})
    _http_status(status, headers)
    try:
        code = int(body.get("error", -100))
    except (TypeError, ValueError):
        code = -100
    if code == 0:
        return str((body.get("data") or {}).get("msg_id") or tracking_id)
    reason = f"ZNS {code}: {body.get('message') or ''}".strip()
    if code in ZNS_PERMANENT:
        raise Permanent(f"{reason} ({ZNS_PERMANENT[code]})", status)
    if code in ZNS_QUOTA:
        raise RateLimited(reason, retry_after(headers), status)
    if code == ZNS_TOKEN:
        raise Temporary(f"{reason} (access token invalid or expired: renew ZNS_ACCESS_TOKEN)",
                        status)
    raise Temporary(reason, status)
