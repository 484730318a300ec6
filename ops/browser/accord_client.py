"""Talking to the live Accord under test, and to the outside systems the demo runs (localstripe and the e-conomic
sandbox), to set up the data a browser flow needs. Reads what ops/lib/accord-demo.sh exports."""

import base64
import json
import os
import re
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request


class HTTPFailure(AssertionError):
    pass


def _request(method, url, body=None, headers=None, form=None):
    headers = dict(headers or {})
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    elif form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read().decode()
    except urllib.error.HTTPError as error:
        raise HTTPFailure(f"{method} {url}: {error.code} {error.read().decode()[:500]}") from None
    return json.loads(text) if text else None


class Accord:
    """The API of the demo tenant (its key), the e-conomic sandbox's admin API and localstripe."""

    stripe_key = "sk_test_accord_demo"

    def __init__(self):
        self.url = os.environ["ACCORD_URL"]
        self.key = os.environ["ACCORD_API_KEY"]
        self.admin_email = os.environ["ACCORD_ADMIN_EMAIL"]
        self.admin_password = os.environ["ACCORD_ADMIN_PASSWORD"]
        self.sandbox = os.environ["ACCORD_SANDBOX_URL"]
        self.stripe = os.environ["STRIPE_API_BASE"]

    def api(self, method, path, body=None):
        return _request(method, self.url + "/api/v1" + path, body, {"Authorization": f"Bearer {self.key}"})

    def customers(self, **query):
        return self.api("GET", "/customers?" + urllib.parse.urlencode(query, quote_via=urllib.parse.quote))["items"]

    def customer_named(self, name, system="stripe"):
        matches = [c for c in self.customers(search=name, side=system) if c.get("name") == name]
        assert matches, f"no {system} customer named {name!r}"
        return matches[0]

    def link(self, link_id):
        return self.api("GET", f"/links/{link_id}")

    def conflicts(self):
        """The open conflicts, grouped by pair (the first page of 200 pairs)."""
        return self.api("GET", "/conflicts?limit=200")["items"]

    def settings(self):
        return self.api("GET", "/settings")

    def new_tenant(self, tenant, name):
        """What an operator does before a new company's bookkeeper opens the browser: `accord tenant add` and
        `accord tenant api-key create` on the demo's database. Returns the key (shown once)."""
        accord = os.environ["ACCORD_BINARY"]
        subprocess.run([accord, "tenant", "add", tenant, "--name", name], check=True, capture_output=True, text=True, timeout=60)
        created = subprocess.run(
            [accord, "tenant", "api-key", "create", tenant, "--name", "browser"], check=True, capture_output=True, text=True, timeout=60
        )
        keys = re.findall(r"\bak_[A-Za-z0-9_-]+", created.stdout + created.stderr)
        assert keys, f"no key in: {created.stdout} {created.stderr}"
        return keys[0]

    def edit_in_economic(self, number, **fields):
        """An accountant's edit in e-conomic's own screens (the sandbox's admin API)."""
        return _request("PATCH", f"{self.sandbox}/_sandbox/customers/{number}", fields)

    economic_tokens = {"X-AppSecretToken": "sandbox-app-secret", "X-AgreementGrantToken": "sandbox-agreement-grant"}

    def economic_customer(self, number):
        return _request("GET", f"{self.sandbox}/customers/{number}", headers=self.economic_tokens)

    def create_in_economic(self, name, email, **fields):
        """A customer an accountant makes in e-conomic (its REST API, with the sandbox's standard lists)."""
        body = {
            "name": name, "email": email, "currency": "DKK", "customerGroup": {"customerGroupNumber": 1},
            "paymentTerms": {"paymentTermsNumber": 1}, "vatZone": {"vatZoneNumber": 1}, **fields,
        }
        return _request("POST", f"{self.sandbox}/customers", body, headers=self.economic_tokens)

    def create_in_stripe(self, **fields):
        auth = base64.b64encode(f"{self.stripe_key}:".encode()).decode()
        return _request("POST", f"{self.stripe}/v1/customers", headers={"Authorization": f"Basic {auth}"}, form=fields)

    def stripe_customer(self, customer_id):
        auth = base64.b64encode(f"{self.stripe_key}:".encode()).decode()
        return _request("GET", f"{self.stripe}/v1/customers/{customer_id}", headers={"Authorization": f"Basic {auth}"})

    def edit_in_stripe(self, customer_id, **fields):
        auth = base64.b64encode(f"{self.stripe_key}:".encode()).decode()
        return _request("POST", f"{self.stripe}/v1/customers/{customer_id}", headers={"Authorization": f"Basic {auth}"}, form=fields)


def wait_until(what, check, timeout=90, interval=0.5):
    """Polls `check` until it returns something truthy; fails naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")
