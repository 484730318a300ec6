"""Every page answers, with its heading and without an error, looks as kept in a screenshot, and passes axe-core's
check; keyboard users and screen readers get labels, a language and titles."""

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from accessibility import check_accessibility
from pages import PAGES, CustomerPage, LoginPage, OverviewPage


@pytest.mark.parametrize("name,page_class,path", PAGES, ids=[p[0] for p in PAGES])
def test_page_answers_with_its_heading(site, name, page_class, path):
    page = site.open(page_class, path)
    page.screenshot(name)
    assert page.heading == page_class.heading_text, page.text[:500]
    assert page.errors == []
    assert page.title.endswith("· Accord")
    check_accessibility(page, name)


def test_customer_page_shows_the_customer_and_its_history(site, accord):
    bikes = accord.customer_named("Berlin Bikes GmbH")
    page = site.open(CustomerPage, f"/ui/customers/stripe/{bikes['id']}")
    page.screenshot("customer")
    assert page.heading.startswith("Berlin Bikes GmbH")
    assert page.errors == []
    assert "kontakt@berlin-bikes.example" in page.text
    check_accessibility(page, "customer")


def test_login_page_is_accessible_and_refuses_a_wrong_password_and_a_wrong_key(site, accord):
    page = site.open(LoginPage)
    check_accessibility(page, "login")
    page.log_in(accord.admin_email, "not the password at all")
    assert page.heading == "Log in"
    assert page.errors == ["The e-mail address or the password is not right."], page.errors
    page.screenshot("login-refused")
    page.log_in_with_key("ak_0000000000000000_wrong")
    assert page.heading == "Log in"
    assert page.errors, "a wrong key must be refused with a message"
    assert site.login_with_key(accord.key).heading == "Overview"
    assert site.login(accord.admin_email, accord.admin_password).heading == "Overview"


def test_every_page_is_reachable_from_the_navigation(site):
    site.open(OverviewPage)
    links = {a.get_attribute("href").removeprefix(site.url) for a in site.driver.find_elements(By.CSS_SELECTOR, "header nav a")}
    visited = {path or cls.path for _, cls, path in PAGES}
    assert links, "the page has no navigation"
    for link in links:
        assert link.split("?")[0] in {v.split("?")[0] for v in visited}, f"{link} is in the navigation but not visited by PAGES"


def test_keyboard_alone_logs_in_and_reaches_a_page(site, accord):
    """Tab to the e-mail address, type it, Tab, the password, Enter; then Tab through the navigation to a page and
    Enter."""
    page = site.open(LoginPage)

    def press(*keys):
        ActionChains(site.driver).send_keys(*keys).perform()

    for _ in range(10):
        if site.driver.switch_to.active_element.get_attribute("name") == "email":
            break
        press(Keys.TAB)
    assert site.driver.switch_to.active_element.get_attribute("name") == "email", "Tab never reached the e-mail field"
    press(accord.admin_email, Keys.TAB)
    assert site.driver.switch_to.active_element.get_attribute("name") == "password", "Tab from the e-mail field must reach the password"
    page.leave_by(lambda: press(accord.admin_password, Keys.ENTER))
    assert page.heading == "Overview"
    for _ in range(20):
        if site.driver.switch_to.active_element.text == "Settings":
            break
        press(Keys.TAB)
    assert site.driver.switch_to.active_element.text == "Settings", "Tab never reached the navigation's Settings link"
    page.leave_by(lambda: press(Keys.ENTER))
    assert page.heading == "Settings"
