"""What a person does in the pages today, end to end against the live demo: a new company's first synchronised
customer entirely in the browser, resolve a conflict field by field,
select a partner from the suggestions, create an e-conomic customer's partner in Stripe, stop and restart a pair, preview and save a settings change, choose a default from e-conomic's lists, import a customer file, test a connection. The data each flow needs is set up through the API,
localstripe and the e-conomic sandbox (accord_client.py); each flow is driven through its page object (pages.py)."""

from selenium.webdriver.common.by import By

from accord_client import wait_until
from pages import (
    ConflictsPage, ConnectionsPage, CustomerPage, CustomersPage, ImportPage, ImportsPage, OverviewPage, SettingsPage, Site, SynchronisedPage, UnpartneredPage,
    UsersPage,
)


def test_resolve_a_conflict_field_by_field(site, accord):
    # Anna is linked by e-mail. Her name is edited in e-conomic, then differently in Stripe: Accord's update finds
    # e-conomic's name moved from the agreed one, so the pair's name is a conflict.
    anna = accord.customer_named("Anna Jensen")
    link = accord.link(anna["linkId"])
    number = int(link["economic"].split(":")[1])
    accord.edit_in_economic(number, name="Anna Jensen ApS")
    accord.edit_in_stripe(anna["id"], name="Anna K. Jensen")
    group = wait_until("the name conflict of Anna's pair", lambda: next((g for g in accord.conflicts() if g["linkId"] == link["linkId"]), None))
    assert "name" in [f["field"] for f in group["fields"]]

    page = site.open(ConflictsPage)
    page.screenshot("conflicts-open")
    assert "name" in page.fields(link["linkId"])
    choices = {field["field"]: "economic" for field in group["fields"]}
    choices["name"] = ("value", "Anna Jensen (resolved)")
    page.resolve(link["linkId"], choices)
    assert page.errors == [], page.errors
    page.screenshot("conflicts-resolved")

    wait_until("the conflict to be gone", lambda: all(g["linkId"] != link["linkId"] for g in accord.conflicts()))
    # The pair's agreed values are another read model than its conflicts: it may follow a moment later.
    wait_until("the chosen name to be agreed", lambda: accord.link(link["linkId"])["agreed"].get("name") == "Anna Jensen (resolved)")
    wait_until("e-conomic to get the chosen name", lambda: accord.economic_customer(number).get("name") == "Anna Jensen (resolved)")


def test_stop_and_restart_a_pair(site, accord):
    nordisk = accord.customer_named("Nordisk Design ApS")
    link_id = nordisk["linkId"]
    page = site.open(SynchronisedPage)
    assert page.state(link_id) == "synchronising"
    page.stop(link_id)
    assert page.errors == []
    wait_until("the pair to be stopped", lambda: accord.link(link_id)["stopped"])
    page = site.open(SynchronisedPage)
    assert page.state(link_id) == "stopped"
    page.screenshot("synchronised-stopped")
    page.restart(link_id)
    wait_until("the pair to synchronise again", lambda: not accord.link(link_id)["stopped"])
    page = site.open(SynchronisedPage)
    assert page.state(link_id) == "synchronising"


def test_preview_and_save_a_settings_change(site, accord):
    before = accord.settings()
    page = site.open(SettingsPage)
    page.fill("conflict_policies", "city = sourceWins")
    page.preview()
    assert page.errors == [], page.errors
    assert page.preview_section is not None, "the preview did not appear"
    assert page.value("conflict_policies").strip() == "city = sourceWins", "the preview must keep the form as typed"
    page.screenshot("settings-preview")
    assert accord.settings()["version"] == before["version"], "a preview saves nothing"

    page.save()
    assert page.errors == [], page.errors
    page.screenshot("settings-saved")
    after = wait_until("the settings to be saved", lambda: (s := accord.settings())["version"] > before["version"] and s)
    assert after["settings"]["conflictPolicies"] == {"city": "sourceWins"}


def test_choose_a_default_from_economics_lists(site, accord):
    # The demo is connected to the e-conomic sandbox: its payment terms are offered by name, not typed as numbers.
    before = accord.settings()
    page = site.open(SettingsPage)
    assert "5 — Netto 30 dage" in page.options("payment_terms"), page.options("payment_terms")
    assert "19 — DK. std. m. bankoplys. 1.5" in page.options("layout")
    page.choose("payment_terms", "5 — Netto 30 dage")
    page.save()
    assert page.errors == [], page.errors
    page.screenshot("settings-defaults-chosen")
    after = wait_until("the settings to be saved", lambda: (s := accord.settings())["version"] > before["version"] and s)
    assert after["settings"]["defaults"]["paymentTerms"] == 5


def test_search_customers_by_a_name_with_spaces(site):
    page = site.open(CustomersPage)
    page.search("Berlin Bikes")
    assert page.errors == []
    page.screenshot("customers-search")
    assert page.names and all(name == "Berlin Bikes GmbH" for name in page.names), page.names


def test_import_a_customer_file(site, accord, tmp_path):
    """Choose a file, press Import, follow the import to its summary: every bad row by number, column and reason."""
    csv = tmp_path / "kunder-browser.csv"
    csv.write_text(
        "customer_number,name,email,country\n"
        "9101,Ida Holm,ida@holm.example,DK\n"
        "9102,Jon Vik,not-an-email,DK\n"
        "9103,Kaja Dahl,kaja@dahl.example,NO\n",
        encoding="utf-8",
    )
    page = site.open(ImportsPage).upload(csv)
    assert page.heading == "Import of kunder-browser.csv", page.text[:500]
    path = site.driver.current_url.removeprefix(site.url)
    wait_until("the import to complete", lambda: site.open(ImportPage, path).counts or None)
    page = site.open(ImportPage, path)
    assert page.errors == [], page.errors
    assert page.counts == {"added": 2, "updated": 0, "unchanged": 0, "rejected": 1}, page.counts
    rows = page.rejected_rows
    assert [(row, column) for row, column, _ in rows] == [(3, "email")], rows
    assert "not-an-email" in rows[0][2]
    page.screenshot("import-completed")
    listed = site.open(ImportsPage)
    assert "kunder-browser.csv" in listed.text
    wait_until("the file's customers to be listed", lambda: [c for c in accord.customers(search="Ida Holm", side="file") if c.get("name") == "Ida Holm"])


def test_select_a_partner_from_the_suggestions(site, accord):
    """A Stripe customer without an e-mail (a match failure, never a silent create) and an e-conomic customer with the
    same phone number: the customer's page suggests that customer, saying why; "Select" pairs them."""
    number = accord.create_in_economic("Lone Berg ApS", "lone@berg.example", telephoneAndFaxNumber="+45 33 44 55 66")["customerNumber"]
    stripe_id = accord.create_in_stripe(name="Lone Berg ApS", phone="+45 33 44 55 66")["id"]
    page = wait_until(
        "the e-conomic customer to be suggested",
        lambda: (p := site.open(CustomerPage, f"/ui/customers/stripe/{stripe_id}")) and "Lone Berg ApS" in p.suggestions() and p,
    )
    why = page.suggestions()["Lone Berg ApS"]
    assert "name" in why, why
    page.screenshot("customer-partner-suggestions")
    page.select_suggested("Lone Berg ApS")
    assert page.errors == [], page.errors
    wait_until(
        "the pair to be made",
        lambda: next((c for c in accord.customers(search="Lone Berg", side="stripe") if c.get("partner") == f"economic:{number}"), None),
    )
    assert f"economic:{number}" in site.open(CustomerPage, f"/ui/customers/stripe/{stripe_id}").text


def test_create_an_economic_customers_partner_in_stripe(site, accord):
    """A customer the accountant made in e-conomic, whom Stripe does not know: "Create partner in Stripe" among its other
    actions makes one Stripe customer carrying its e-conomic number, and the two are a pair."""
    name = "Stig Sandvik A/S"
    number = accord.create_in_economic(name, "stig@sandvik.example")["customerNumber"]
    page = wait_until(
        "the e-conomic customer to be listed as unpartnered",
        lambda: (p := site.open(UnpartneredPage, "/ui/unpartnered?side=economic&search=Sandvik")) and name in p.text and p,
    )
    page.create_in_stripe(name)
    assert page.errors == [], page.errors
    assert f"Creating the partner of {name} in Stripe." in page.notices, page.notices
    paired = wait_until(
        "the customer to be paired with a Stripe customer",
        lambda: next((c for c in accord.customers(search=name, side="economic") if (c.get("partner") or "").startswith("stripe:")), None),
        timeout=120,
    )
    made = accord.stripe_customer(paired["partner"].split(":", 1)[1])
    assert made["name"] == name and made["email"] == "stig@sandvik.example", made
    assert str(number) in made["metadata"].values(), made["metadata"]
    site.open(CustomersPage, f"/ui/customers/economic/{number}").screenshot("customer-partner-made-in-stripe")


def test_overview_shows_the_webhook_url_the_server_answers_at(site, accord):
    """The demo picks a free port: the URL to paste into Stripe names the port it bound, not the 0 it was given."""
    page = site.open(OverviewPage)
    assert f"{accord.url}/webhooks/stripe/" in page.text, page.text[:1500]


def test_test_a_connection(site):
    page = site.open(ConnectionsPage)
    page.test_connection("economic")
    assert page.heading == "Connections"
    assert "Connected to e-conomic agreement" in page.text, page.text[:800]
    page.screenshot("connections-tested")


def test_first_synchronised_customer_from_an_empty_tenant(other_browser, accord, artifacts, tmp_path):
    """A new company, from the key its operator made to its first synchronised customer, entirely in the browser:
    connect e-conomic and test it, choose the settings (defaults from e-conomic's lists, partners created by a
    person), import a customer file, create its partner, see the pair synchronised."""
    key = accord.new_tenant("firstco", "First Co ApS")
    site = Site(other_browser, accord.url, artifacts)
    assert site.login_with_key(key).heading == "Overview"

    page = site.open(ConnectionsPage)
    page.connect_economic(accord.sandbox, "sandbox-app-secret", "sandbox-agreement-grant")
    assert page.errors == [], page.errors
    page = site.open(ConnectionsPage)
    page.test_connection("economic")
    assert "Connected to e-conomic agreement" in page.text, page.text[:800]

    page = site.open(SettingsPage)
    assert "1 — Netto 8 dage" in page.options("payment_terms"), "the defaults are offered from e-conomic's lists"
    page.fill("match_fields", "email = email")
    page.choose("payment_terms", "2 — Netto 14 dage")
    page.choose("create_policy", "leave it unpartnered for a person to decide")
    page.save()
    assert page.errors == [], page.errors
    page.screenshot("first-sync-settings")

    csv = tmp_path / "first-customers.csv"
    csv.write_text("customer_number,name,email,country\n7001,Frida First,frida@first.example,DK\n", encoding="utf-8")
    page = site.open(ImportsPage).upload(csv)
    path = site.driver.current_url.removeprefix(site.url)
    wait_until("the import to complete", lambda: site.open(ImportPage, path).counts or None)
    assert site.open(ImportPage, path).counts["added"] == 1

    page = wait_until(
        "Frida to be listed as unpartnered",
        lambda: (p := site.open(UnpartneredPage)) and "Frida First" in p.text and p,
    )
    page.create_all_partners()
    assert page.errors == [], page.errors
    assert "Creating 1 partner." in page.notices, page.notices

    page = wait_until(
        "Frida's pair to be synchronised",
        lambda: (p := site.open(SynchronisedPage)) and "Frida First" in p.text and p,
        timeout=120,
    )
    page.screenshot("first-sync-synchronised")


def test_admin_adds_a_viewer_who_reads_but_cannot_change(site, other_browser, accord, artifacts):
    """The admin adds a bookkeeper's colleague as a viewer on the Users page (an address that already has a login is
    refused first, next to the form, what was typed kept); the viewer logs in with that password in their own browser, reads the pages and finds nothing to
    change; their posts would be refused by the server anyway (ServerTests)."""
    page = site.open(UsersPage)
    page.add(accord.admin_email, "Viewer (reads only)", "a long enough password")
    assert page.errors == [f"Another login already uses {accord.admin_email}."], page.errors
    assert site.driver.find_element(By.NAME, "email").get_attribute("value") == accord.admin_email
    page.add("vera@demo.example", "Viewer (reads only)", "vera's long first password")
    page = site.open(UsersPage)
    assert page.people.get("vera@demo.example") == "Viewer (reads only)", page.people
    assert page.people.get(accord.admin_email) == "Admin", page.people
    page.screenshot("users")

    viewer = Site(other_browser, accord.url, artifacts)
    assert viewer.login("vera@demo.example", "vera's long first password").heading == "Overview"
    overview = viewer.open(OverviewPage)
    assert "You are a viewer" in overview.text
    assert "vera@demo.example · viewer" in overview.text
    settings = viewer.open(SettingsPage)
    visible = [b.text for b in other_browser.find_elements(By.CSS_SELECTOR, "main button") if b.is_displayed()]
    assert visible == [], f"a viewer sees no button that would change something: {visible}"
    assert other_browser.find_element(By.NAME, "match_fields").is_displayed(), "the settings stay readable"
    settings.screenshot("viewer-settings")
