"""SMS to citizens: the message texts and the generic gateway adapter.

The gateway is the county SMS platform's HTTP endpoint, configured by
`PINGAN_SMS_GATEWAY_URL` and `PINGAN_SMS_GATEWAY_KEY` (docs/channels.md). One JSON POST
per message:

    POST <url>   Authorization: Bearer <key>   Content-Type: application/json
    {"mobile": "13812345678", "content": "…", "msg_id": "pingan-42"}

`msg_id` is the same on every retry of one message, so a platform that deduplicates by it
never sends a message twice even when our worker crashed after posting. A 2xx answer is
success unless its JSON body carries a `code` other than 0 / "0" / "OK" / "success"
(platforms that answer 200 with an error code).

Texts carry no personal data: no name, no address, no description; only the reference
the citizen already has (the tracking code, their work order number or request number)
and, for a merge, the number of the matter theirs was merged into.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.utils.translation import gettext as _

SMS_TIMEOUT_S = 5
OK_CODES = {"0", "ok", "success", "200"}

# What a timeline row means for the citizen who reported the event.
NEWS_MERGED = "merged"  # their matter was merged into another one
NEWS_MERGED_IN = "merged_in"  # another matter was merged into theirs
NEWS_CLOSED = "closed"  # their matter was closed
NEWS_REJECTED = "rejected"  # their matter was not taken in (不予受理)
NEWS_MASTER_CLOSED = "master_closed"  # the matter theirs was merged into was closed

# The longest reason quoted in a rejection message (an SMS is read on a phone).
REASON_CHARS = 60


def text_for(
    news: str, *, ref: str, master_code: str = "", rate_at: str = "", reason: str = ""
) -> str:
    """The message for one piece of news, with the carrier signature when configured.
    `ref` names the matter as the citizen knows it ("查询码AB23CD45"); `rate_at`, when
    given, is where the citizen sees the result and rates it (closed news only);
    `reason` why it was not taken in (rejected news only): the row's public reply, never
    its internal note."""
    if news == NEWS_MERGED:
        body = _(
            "您反映的问题（%(ref)s）与同类问题合并办理，合并后的事件编号为%(master)s，办理进度可凭原%(ref)s查询。"
        ) % {"ref": ref, "master": master_code}
    elif news == NEWS_MERGED_IN:
        body = _("另有群众反映的同类问题已并入您反映的问题（%(ref)s），将一并办理。") % {"ref": ref}
    elif news == NEWS_CLOSED and rate_at:
        body = _(
            "您反映的问题（%(ref)s）已办结，请凭查询码和手机号后4位在%(at)s查看办理结果并评价。"
        ) % {"ref": ref, "at": rate_at}
    elif news == NEWS_CLOSED:
        body = _("您反映的问题（%(ref)s）已办结，感谢您的反映。") % {"ref": ref}
    elif news == NEWS_MASTER_CLOSED:
        body = _("您反映的问题（%(ref)s）已随合并后的事件%(master)s一并办结，感谢您的反映。") % {
            "ref": ref,
            "master": master_code,
        }
    elif news == NEWS_REJECTED:
        reason = " ".join(reason.split())
        if len(reason) > REASON_CHARS:
            reason = reason[: REASON_CHARS - 1] + "…"
        body = (
            _("您反映的问题（%(ref)s）经审核不予受理，原因：%(reason)s。")
            % {"ref": ref, "reason": reason}
            if reason
            else _("您反映的问题（%(ref)s）经审核不予受理。") % {"ref": ref}
        )
    else:
        raise ValueError(f"unknown SMS news {news!r}")
    sign = (getattr(settings, "PINGAN_SMS_SIGN", "") or "").strip()
    return f"【{sign}】{body}" if sign else body


def gateway_configured() -> bool:
    """True when an SMS gateway URL is set."""
    return bool((getattr(settings, "PINGAN_SMS_GATEWAY_URL", "") or "").strip())


def gateway_send(*, phone: str, text: str, message_id: str) -> None:
    """Post one message to the gateway; raise on any failure. Errors never carry the
    number or the text (they are logged and stored on the outbox row)."""
    url = settings.PINGAN_SMS_GATEWAY_URL.strip()
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise ValueError("SMS gateway URL must be http or https")
    body = json.dumps(
        {"mobile": phone, "content": text, "msg_id": message_id}, ensure_ascii=False
    ).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Pingan-SMS/1",
    }
    key = (settings.PINGAN_SMS_GATEWAY_KEY or "").strip()
    if key:
        headers["Authorization"] = f"Bearer {key}"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=SMS_TIMEOUT_S) as response:  # noqa: S310
            status = response.status
            answer = response.read(65536)
    except urllib.error.HTTPError as exc:
        raise RuntimeError(f"HTTP {exc.code}") from None
    except urllib.error.URLError as exc:
        raise RuntimeError(f"gateway unreachable: {type(exc.reason).__name__}") from None
    if not 200 <= status < 300:
        raise RuntimeError(f"HTTP {status}")
    try:
        data = json.loads(answer or b"{}")
    except ValueError:
        return  # a 2xx without JSON: accepted
    if isinstance(data, dict) and "code" in data and str(data["code"]).lower() not in OK_CODES:
        code = str(data["code"])[:20]
        raise RuntimeError(f"gateway refused: code {code}")
