"""Runs scim2-tester (PyPI) against a Roster server: `check.py <base URL> <token>`.

Prints one line per check and exits 1 when any check errs. Roster's userName is the
user's email and its profile fields hold ISO country codes and real postal codes (RFC 7643
§4.1.1 leaves userName's form to the service provider); the tester's random strings are
neither, so its value generator is given an email, a country code and a postal code for
those three attributes, and random values for everything else as before.
"""

import sys
import uuid

import httpx2
from scim2_client.engines.httpx2 import SyncSCIMClient

import scim2_tester.checkers.patch_add as patch_add
import scim2_tester.checkers.patch_replace as patch_replace
import scim2_tester.filling as filling
from scim2_tester import Status, check_server

random_value = filling.generate_random_value


def roster_value(context, path, mutability=None, required=None):
    value = random_value(context, path, mutability=mutability, required=required)
    name = str(path).lower()
    if value is None:
        return value
    if name.endswith("username"):
        return f"{uuid.uuid4().hex}@scim-tester.example"
    if name.endswith("addresses"):
        for address in value:
            address.country = "DE"
            address.postal_code = "10115"
        return value
    if name.endswith("addresses.country"):
        return "DE"
    if name.endswith("addresses.postalcode"):
        return "10115"
    return value


for module in (filling, patch_add, patch_replace):
    module.generate_random_value = roster_value


def main() -> int:
    base, token = sys.argv[1], sys.argv[2]
    http = httpx2.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    client = SyncSCIMClient(http)
    results = check_server(client)
    failures = 0
    for r in results:
        print(f"{r.status.name:10} {r.resource_type or '-':6} {r.title}: {r.reason}")
        if r.status in (Status.ERROR, Status.CRITICAL):
            failures += 1
    counts = {}
    for r in results:
        counts[r.status.name] = counts.get(r.status.name, 0) + 1
    print("summary:", ", ".join(f"{k}={v}" for k, v in sorted(counts.items())))
    return 1 if failures or not results else 0


if __name__ == "__main__":
    sys.exit(main())
