"""schemathesis hook for the OpenAPI test's bearer pass (crates/roster/tests/openapi.rs).

The pass fuzzes every operation with an API token of the Primary Master Admin, whose address
is ROSTER_FUZZ_EMAIL. schemathesis reuses values it saw in answers as inputs (GET /me and
GET /users show that address), so it signs in at POST /auth/login with the creator's address
and a wrong password; enough failures (the fuzz also lowers max_login_attempts through
PATCH /settings/security) lock the creator. A locked creator's tokens keep working, but the
lock would shut the creator's password sign-in, which the session pass and the checks after
the run need. A sign-in with the creator's address is sent for an address of nobody instead,
so POST /auth/login is still fuzzed in every other respect.
"""

import os

import schemathesis

NOBODY = "fuzz.nobody@example.com"


@schemathesis.hook
def before_call(context, case, kwargs):
    if case.operation.path != "/auth/login" or not isinstance(case.body, dict):
        return
    email = case.body.get("email")
    creator = os.environ["ROSTER_FUZZ_EMAIL"].strip().casefold()
    if isinstance(email, str) and email.strip().casefold() == creator:
        case.body = {**case.body, "email": NOBODY}
