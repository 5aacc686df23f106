"""A small local stand-in of Twilio's Messages API, for the tests of messaging.sms.TwilioSmsChannel.

It listens on 127.0.0.1 (a free port in 18180-18189), checks HTTP basic auth with the account SID and
auth token, and answers POST /2010-04-01/Accounts/<sid>/Messages.json as Twilio does: 201 with a
message resource ("sid", "status": "queued"...), or 400/401 with Twilio's error body ({"code",
"message", "status"}). Numbers in `unsubscribed` get error 21610 (the recipient replied STOP), and an
invalid To gets 21211. It can also play the provider's side of the inbound webhook: `signed_inbound`
builds the form and its X-Twilio-Signature with its own implementation of the scheme."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

PORTS = range(18180, 18190)
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")


class TwilioStandIn:
    def __init__(self, *, account_sid: str, auth_token: str):
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.received: list[dict] = []
        self.unsubscribed: set[str] = set()
        self.fail_next_with: int | None = None  # an HTTP status for the next request (e.g. 500)
        self._server: ThreadingHTTPServer | None = None

    # --- the provider's side of the inbound webhook ---------------------------------------------

    def sign(self, url: str, form: dict[str, str]) -> str:
        data = url
        for key in sorted(form):
            data += key + form[key]
        return base64.b64encode(
            hmac.new(self.auth_token.encode(), data.encode(), hashlib.sha1).digest()
        ).decode()

    def signed_inbound(self, url: str, *, sender: str, body: str) -> tuple[dict[str, str], str]:
        form = {
            "MessageSid": "SM" + uuid.uuid4().hex,
            "AccountSid": self.account_sid,
            "From": sender,
            "To": "+15005550006",
            "Body": body,
            "NumMedia": "0",
        }
        return form, self.sign(url, form)

    # --- the REST API -----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> TwilioStandIn:
        handler = self._handler()
        for port in PORTS:
            try:
                self._server = ThreadingHTTPServer(("127.0.0.1", port), handler)
                break
            except OSError:
                continue
        else:
            raise RuntimeError("no free port in 18180-18189 for the SMS stand-in")
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _answer(self, status: int, payload: dict) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if standin.fail_next_with is not None:
                    status, standin.fail_next_with = standin.fail_next_with, None
                    return self._answer(
                        status, {"code": 20500, "message": "Internal Server Error", "status": status}
                    )
                expected = (
                    "Basic "
                    + base64.b64encode(f"{standin.account_sid}:{standin.auth_token}".encode()).decode()
                )
                if self.headers.get("Authorization") != expected:
                    return self._answer(401, {"code": 20003, "message": "Authenticate", "status": 401})
                if self.path != f"/2010-04-01/Accounts/{standin.account_sid}/Messages.json":
                    return self._answer(404, {"code": 20404, "message": "Not found", "status": 404})
                to = form.get("To", "")
                if not E164.match(to):
                    return self._answer(
                        400, {"code": 21211, "message": f"Invalid 'To' Phone Number: {to}", "status": 400}
                    )
                if not form.get("Body"):
                    return self._answer(
                        400, {"code": 21602, "message": "Message body is required.", "status": 400}
                    )
                if not (form.get("From") or form.get("MessagingServiceSid")):
                    return self._answer(
                        400, {"code": 21603, "message": "A 'From' phone number is required.", "status": 400}
                    )
                if to in standin.unsubscribed:
                    return self._answer(
                        400,
                        {
                            "code": 21610,
                            "message": "Attempt to send to unsubscribed recipient",
                            "status": 400,
                        },
                    )
                sid = "SM" + uuid.uuid4().hex
                standin.received.append({"sid": sid, **form})
                return self._answer(
                    201,
                    {
                        "sid": sid,
                        "status": "queued",
                        "to": to,
                        "from": form.get("From"),
                        "body": form["Body"],
                    },
                )

        return Handler
