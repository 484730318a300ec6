"""What a person does in the pages today, end to end against the live demo: resolve a conflict field by field,
stop and restart a pair, preview and save a settings change. The data each flow needs is set up through the API,
localstripe and the e-conomic sandbox (accord_client.py); each flow is driven through its page object (pages.py)."""

from accord_client import wait_until
from pages import ConflictsPage, CustomersPage, SettingsPage, SynchronisedPage


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
    assert accord.link(link["linkId"])["agreed"].get("name") == "Anna Jensen (resolved)"
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


def test_search_customers_by_a_name_with_spaces(site):
    page = site.open(CustomersPage)
    page.search("Berlin Bikes")
    assert page.errors == []
    page.screenshot("customers-search")
    assert page.names and all(name == "Berlin Bikes GmbH" for name in page.names), page.names
