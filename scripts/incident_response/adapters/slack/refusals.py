"""Slack's answers as the program's errors: what is worth retrying, and what someone must fix.

Slack answers a refusal with HTTP 200 and `{"ok": false, "error": CODE}` (slack_sdk raises
`SlackApiError` for it); a missing scope also says which scope was `needed` and which the
token has (`provided`): apache/superset#15903, getsentry/sentry#18317, kept in
tests/fixtures/slack/recorded/quoted-answers.json. The codes below are those of the methods'
error lists on docs.slack.dev (chat.postMessage, conversations.list/history/replies,
chat.getPermalink), kept in tests/fixtures/slack/recorded/docs-examples.json.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError

from incident_response.core.errors import (
    PermanentServiceError,
    Refusal,
    ServiceError,
    TransientServiceError,
)

__all__ = ["SERVICE", "refusal", "refused", "scope_fix"]

SERVICE = "Slack"

#: Slack's own trouble, or its rate limit: the next run (or slack_sdk's retry) may succeed
_TRANSIENT = {"ratelimited", "rate_limited", "fatal_error", "internal_error",
              "service_unavailable", "request_timeout"}
#: the token itself is refused: an uninstalled app or revoked token (`token_revoked`), a
#: deactivated bot user or workspace (`account_inactive`), a rotated token past its life
#: (`token_expired`), a wrong one (`invalid_auth`) or none (`not_authed`)
_CREDENTIALS = {
    "invalid_auth": "check SLACK_BOT_TOKEN: Slack does not accept it (a bot token starts "
                    "with xoxb-)",
    "not_authed": "set SLACK_BOT_TOKEN",
    "token_revoked": "the token in SLACK_BOT_TOKEN was revoked (the app was uninstalled?): "
                     "reinstall the app and put its new bot token in SLACK_BOT_TOKEN",
    "token_expired": "the token in SLACK_BOT_TOKEN has expired: put a current bot token in it",
    "account_inactive": "the bot's user or workspace is deactivated: reinstall the app and put "
                        "its new bot token in SLACK_BOT_TOKEN",
}
#: a channel that is no longer there for the bot
_GONE = {
    "channel_not_found": "check the channel in the config (chat:); a private channel exists "
                         "for the bot only once it is invited (/invite @your-bot)",
    "is_archived": "the channel is archived: unarchive it, or name another channel in the "
                   "config (chat:)",
    "message_not_found": "the message was deleted in Slack",
    "thread_not_found": "the incident's thread was deleted in Slack",
}


def scope_fix(needed: str) -> str:
    # A scope added to an installed app takes effect only once the app is reinstalled
    # (OAuth & Permissions says so, with a banner, when scopes change).
    return (f"give the bot the {needed} scope (api.slack.com/apps -> OAuth & Permissions -> "
            "Bot Token Scopes), then reinstall the app")


def refusal(error: SlackApiError, doing: str) -> ServiceError:
    """The error to raise for Slack's refusal of `doing` ("posting to #x"): transient, or
    permanent with the kind of fix and the fix itself."""
    response: Any = error.response
    code = str(response.get("error", "")) if response is not None else ""
    status: int | None = response.status_code if response is not None else None
    message = f"{doing} failed: {code or status}"
    if code in _TRANSIENT or (status is not None and (status == 429 or status >= 500)):
        return TransientServiceError(SERVICE, message, status=status)
    if code in _CREDENTIALS:
        reason, fix = Refusal.CREDENTIALS, _CREDENTIALS[code]
    elif code == "missing_scope":
        needed = str(response.get("needed") or "") if response is not None else ""
        reason, fix = Refusal.PERMISSION, scope_fix(needed or "missing")
    elif code == "not_in_channel":
        reason, fix = Refusal.PERMISSION, (
            "invite the bot to the channel (/invite @your-bot); to post to a public channel "
            "without it, give the bot the chat:write.public scope")
    elif code in _GONE:
        reason, fix = Refusal.GONE, _GONE[code]
    else:
        reason, fix = Refusal.INVALID, ""
    return refused(message, reason=reason, fix=fix, status=status)


#: the secret a refused credential names
CREDENTIAL = "SLACK_BOT_TOKEN"


def refused(message: str, *, reason: Refusal, fix: str = "",
            status: int | None = None) -> PermanentServiceError:
    """Slack's refusal as the program's error: `str()` of it says the fix after what failed
    (core.errors.PermanentServiceError), and a refused token names SLACK_BOT_TOKEN."""
    # The fix is a sentence of its own after what failed.
    fix = fix[:1].upper() + fix[1:]
    return PermanentServiceError(SERVICE, message, status=status, reason=reason, fix=fix,
                                 credential=CREDENTIAL if reason is Refusal.CREDENTIALS else "")
