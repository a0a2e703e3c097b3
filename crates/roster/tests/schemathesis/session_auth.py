"""schemathesis hook for the OpenAPI test's session pass (crates/roster/tests/openapi.rs).

The self-service operations (/me/..., /api-tokens, sign-out) take a session cookie, never a
token. This provider signs in with a password (ROSTER_FUZZ_BASE, ROSTER_FUZZ_EMAIL,
ROSTER_FUZZ_PASSWORD) and sends the session cookie; when a case ends that session (sign-out,
"log out everywhere", a reported session) the next answer is 401, which makes schemathesis
drop the cookie and sign in again, so later cases are still made signed in.
"""

import os

import requests
import schemathesis

COOKIE = "roster_session"


@schemathesis.auth(refresh_interval=30, retry_on=[401])
class SessionCookie:
    def get(self, case, context):
        base = os.environ["ROSTER_FUZZ_BASE"]
        answer = requests.post(
            f"{base}/api/v1/auth/login",
            json={"email": os.environ["ROSTER_FUZZ_EMAIL"], "password": os.environ["ROSTER_FUZZ_PASSWORD"]},
            timeout=20,
        )
        answer.raise_for_status()
        return answer.cookies[COOKIE]

    def set(self, case, data, context):
        case.cookies = {**(case.cookies or {}), COOKIE: data}
