"""Page objects for Accord's web pages: one class per page that a flow drives, so a test says what a person does
("resolve this pair's name with the e-conomic value") and only these classes know the page's markup. A new page
gets a subclass of `Page` (its path and heading) and, when a flow drives it, methods for what a person does there;
`PAGES` lists the pages every run visits."""

import base64
import pathlib
import re

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait


def replaced(element):
    """Whether the page holding `element` has been replaced by another (chromedriver says "stale element" or "node
    does not belong to the document", depending on when it is asked)."""
    try:
        element.is_enabled()
        return False
    except WebDriverException:
        return True


class Site:
    """The browser on one Accord: opens pages, logs in, keeps a screenshot of each page it is asked to."""

    def __init__(self, driver, url, artifacts: pathlib.Path):
        self.driver = driver
        self.url = url
        self.artifacts = artifacts

    def open(self, page_class, path=None):
        page = page_class(self)
        self.driver.get(self.url + (path or page.path))
        return page

    def login(self, email, password):
        """Logs in as a person (e-mail address and password)."""
        page = self.open(LoginPage)
        page.log_in(email, password)
        return Page(self)

    def login_with_key(self, key):
        """Logs in with an API key (what an operator hands a new company before anyone has a password)."""
        page = self.open(LoginPage)
        page.log_in_with_key(key)
        return Page(self)


class Page:
    """Any page: its heading, its error messages, its buttons, its screenshot."""

    path = "/ui"
    heading_text = None

    def __init__(self, site: Site):
        self.site = site
        self.driver = site.driver

    @property
    def heading(self):
        headings = self.driver.find_elements(By.TAG_NAME, "h1")
        return headings[0].text.strip() if headings else None

    @property
    def title(self):
        return self.driver.title

    @property
    def errors(self):
        """Error messages shown on the page (`role="alert"`)."""
        return [element.text for element in self.driver.find_elements(By.CSS_SELECTOR, '[role="alert"]') if element.text.strip()]

    @property
    def notices(self):
        return [element.text for element in self.driver.find_elements(By.CSS_SELECTOR, '[role="status"]') if element.text.strip()]

    @property
    def text(self):
        return self.driver.find_element(By.TAG_NAME, "body").text

    def screenshot(self, name):
        self.site.artifacts.mkdir(parents=True, exist_ok=True)
        path = self.site.artifacts / (re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") + ".png")
        # The whole page, not only the window (Chrome DevTools: capture beyond the viewport).
        size = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
        shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip})
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def fill(self, name, text, within=None):
        """Types `text` into the field named `name`, replacing what it held."""
        field = (within or self.driver).find_element(By.NAME, name)
        field.clear()
        field.send_keys(text)

    def options(self, name):
        """What the list named `name` offers, as a person reads it."""
        return [option.text for option in Select(self.driver.find_element(By.NAME, name)).options]

    def choose(self, name, label):
        """Chooses the entry `label` of the list named `name`."""
        Select(self.driver.find_element(By.NAME, name)).select_by_visible_text(label)

    def click_button(self, label, within=None):
        """Clicks a button that submits its form, and waits for the page the answer leads to."""
        scope = within or self.driver
        buttons = [b for b in scope.find_elements(By.TAG_NAME, "button") if b.text.strip() == label]
        assert buttons, f"no button {label!r} on {self.driver.current_url}"
        self.leave_by(buttons[0].click)

    def leave_by(self, action):
        """Does `action` (a click, a key) and waits until the browser shows the page it leads to."""
        old = self.driver.find_element(By.TAG_NAME, "html")
        action()
        WebDriverWait(self.driver, 60).until(lambda _: replaced(old))


class LoginPage(Page):
    path = "/login"
    heading_text = "Log in"

    def log_in(self, email, password):
        self.fill("email", email)
        self.fill("password", password)
        self.click_button("Log in")

    def log_in_with_key(self, key):
        """Opens "Log in with an API key instead", types the key and logs in."""
        self.driver.find_element(By.TAG_NAME, "summary").click()
        self.fill("api_key", key)
        self.click_button("Log in with the key")


class OverviewPage(Page):
    path = "/ui"
    heading_text = "Overview"


class ConflictsPage(Page):
    path = "/ui/conflicts"
    heading_text = "Conflicts"

    def pair_form(self, link_id):
        forms = self.driver.find_elements(By.CSS_SELECTOR, f'form[action="/ui/conflicts/{link_id}/resolve"]')
        assert forms, f"no conflict of pair {link_id} on the page"
        return forms[0]

    def fields(self, link_id):
        """The conflicting fields of a pair, as listed in its form."""
        form = self.pair_form(link_id)
        return [row.find_element(By.TAG_NAME, "th").text for row in form.find_elements(By.CSS_SELECTOR, "tr") if row.find_elements(By.TAG_NAME, "input")]

    def resolve(self, link_id, choices):
        """Resolves a pair field by field: `choices` maps a field to "source", "economic" or ("value", text)."""
        form = self.pair_form(link_id)
        for field, choice in choices.items():
            if isinstance(choice, tuple):
                form.find_element(By.CSS_SELECTOR, f'input[type="radio"][name="choice[{field}]"][value="value"]').click()
                self.fill(f"value[{field}]", choice[1], within=form)
            else:
                form.find_element(By.CSS_SELECTOR, f'input[type="radio"][name="choice[{field}]"][value="{choice}"]').click()
        self.click_button("Resolve the chosen fields", within=form)


class UnpartneredPage(Page):
    path = "/ui/unpartnered?side=source"
    heading_text = "Unpartnered"

    def create_all_partners(self):
        """Presses "Create partners" for every customer listed on this side (the numbering as offered); with one
        customer listed the button says "Create partner"."""
        labels = {b.text.strip() for b in self.driver.find_elements(By.TAG_NAME, "button")}
        self.click_button("Create partners" if "Create partners" in labels else "Create partner")

    def create_in_stripe(self, name):
        """Opens the other actions of the customer named `name` and presses "Create partner in Stripe"."""
        rows = [row for row in self.driver.find_elements(By.CSS_SELECTOR, "tr") if name in row.text]
        assert rows, f"no row of {name!r} on the page"
        rows[0].find_element(By.TAG_NAME, "summary").click()
        self.click_button("Create partner in Stripe", within=rows[0])


class SynchronisedPage(Page):
    path = "/ui/synchronised"
    heading_text = "Synchronised"

    def row(self, link_id):
        rows = [row for row in self.driver.find_elements(By.CSS_SELECTOR, "tr") if row.find_elements(By.CSS_SELECTOR, f'form[action^="/ui/links/{link_id}/"]')]
        assert rows, f"no row of pair {link_id} on the page"
        return rows[0]

    def state(self, link_id):
        return self.row(link_id).find_elements(By.TAG_NAME, "td")[3].text

    def stop(self, link_id):
        self.click_button("Stop", within=self.row(link_id))

    def restart(self, link_id):
        self.click_button("Restart", within=self.row(link_id))


class MatchFailuresPage(Page):
    path = "/ui/match-failures"
    heading_text = "Match failures"


class CustomersPage(Page):
    path = "/ui/customers"
    heading_text = "Customers"

    def search(self, text):
        self.fill("search", text)
        self.click_button("Search")

    @property
    def names(self):
        """The names in the list, in order."""
        return [row.find_elements(By.TAG_NAME, "td")[0].text for row in self.driver.find_elements(By.CSS_SELECTOR, "table tr") if row.find_elements(By.TAG_NAME, "td")]


class CustomerPage(Page):
    """One customer; its heading is the customer's name."""

    heading_text = None

    def suggestions(self):
        """The partner picker's suggestions: name → why it is suggested."""
        rows = self.driver.find_elements(By.CSS_SELECTOR, "#partner table tr")[1:]
        return {row.find_elements(By.TAG_NAME, "td")[0].text.split("\n")[0]: row.find_elements(By.TAG_NAME, "td")[1].text for row in rows}

    def select_suggested(self, name):
        """Presses "Select" on the suggestion named `name`."""
        rows = [row for row in self.driver.find_elements(By.CSS_SELECTOR, "#partner table tr") if row.text.startswith(name)]
        assert rows, f"no suggestion {name!r}"
        self.click_button("Select", within=rows[0])


class OutboundPage(Page):
    path = "/ui/outbound"
    heading_text = "Outbound"


class SettingsPage(Page):
    path = "/ui/settings"
    heading_text = "Settings"

    def value(self, name):
        return self.driver.find_element(By.NAME, name).get_attribute("value")

    def preview(self):
        self.click_button("Preview")

    @property
    def preview_section(self):
        sections = self.driver.find_elements(By.CSS_SELECTOR, 'section[aria-label="Preview"]')
        return sections[0] if sections else None

    def save(self):
        self.click_button("Save settings")


class ImportsPage(Page):
    path = "/ui/imports"
    heading_text = "Import customers"

    def upload(self, file_path):
        """Chooses the file (as the file dialog would) and submits; the browser lands on the import's own page."""
        self.driver.find_element(By.CSS_SELECTOR, 'input[type="file"][name="file"]').send_keys(str(file_path))
        self.click_button("Import")
        return ImportPage(self.site)


class ImportPage(Page):
    """One import; its heading names the file. It reloads itself while the import runs."""

    heading_text = None

    @property
    def counts(self):
        """{"added": n, …} once completed, from the count cards."""
        counts = {}
        for card in self.driver.find_elements(By.CSS_SELECTOR, "section.counts .card"):
            number = card.find_element(By.TAG_NAME, "b").text
            counts[card.text.replace(number, "", 1).strip()] = int(number)
        return counts

    @property
    def rejected_rows(self):
        """(row, column, reason) of each rejected row listed."""
        rows = []
        for row in self.driver.find_elements(By.CSS_SELECTOR, "table tr"):
            cells = row.find_elements(By.TAG_NAME, "td")
            if len(cells) == 3:
                rows.append((int(cells[0].text), cells[1].text, cells[2].text))
        return rows


class ConnectionsPage(Page):
    path = "/ui/connections"
    heading_text = "Connections"

    def connect_economic(self, base_url, app_secret_token, agreement_grant_token):
        """Fills in e-conomic's tokens and REST address and connects."""
        self.fill("base_url", base_url)
        self.fill("app_secret_token", app_secret_token)
        self.fill("agreement_grant_token", agreement_grant_token)
        self.click_button("Connect e-conomic")

    def test_connection(self, system):
        """Presses "Test connection" of `system` ("economic" or "stripe")."""
        form = self.driver.find_element(By.CSS_SELECTOR, f'form[action="/ui/connections/{system}/test"]')
        self.click_button("Test connection", within=form)


class UsersPage(Page):
    path = "/ui/users"
    heading_text = "Users"

    def add(self, email, role_label, password):
        """Adds a person with a role ("Admin", "Viewer (reads only)") and a first password."""
        self.fill("email", email)
        self.choose("role", role_label)
        self.fill("password", password)
        self.click_button("Add")

    @property
    def people(self):
        """E-mail address → role, as the list shows them."""
        rows = self.driver.find_elements(By.CSS_SELECTOR, "table tr")[1:]
        cells = [[cell.text for cell in row.find_elements(By.TAG_NAME, "td")] for row in rows]
        return {c[0].removesuffix(" (you)"): c[1] for c in cells if len(c) >= 2}


# Every page a run visits: (screenshot name, page class, path or None for the class's own).
PAGES = [
    ("overview", OverviewPage, None),
    ("conflicts", ConflictsPage, None),
    ("unpartnered-source", UnpartneredPage, "/ui/unpartnered?side=source"),
    ("unpartnered-economic", UnpartneredPage, "/ui/unpartnered?side=economic"),
    ("synchronised", SynchronisedPage, None),
    ("match-failures", MatchFailuresPage, None),
    ("customers", CustomersPage, None),
    ("outbound", OutboundPage, None),
    ("settings", SettingsPage, None),
    ("imports", ImportsPage, None),
    ("connections", ConnectionsPage, None),
    ("users", UsersPage, None),
]
