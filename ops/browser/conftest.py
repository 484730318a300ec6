"""Fixtures of the browser tests: the live Accord (started by ops/browser-tests.sh, see ops/lib/accord-demo.sh),
Debian's chromium driven by selenium through Debian's chromium-driver, a logged-in site, and the artifacts folder
(screenshots, accessibility reports)."""

import os
import pathlib
import shutil

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from accord_client import Accord
from pages import LoginPage, Site

ARTIFACTS = pathlib.Path(os.environ.get("ACCORD_BROWSER_ARTIFACTS", pathlib.Path(__file__).resolve().parents[1] / "artifacts" / "browser"))


@pytest.fixture(scope="session")
def accord():
    return Accord()


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def chromium():
    """Debian's chromium, headless, through Debian's chromium-driver."""
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1000", "--lang=en"):
        options.add_argument(argument)
    service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    browser = webdriver.Chrome(options=options, service=service)
    browser.set_page_load_timeout(60)
    return browser


@pytest.fixture(scope="session")
def driver():
    browser = chromium()
    yield browser
    browser.quit()


@pytest.fixture
def other_browser():
    """A second browser (its own cookies), for a person of another tenant; the logged-in `site` stays as it is."""
    browser = chromium()
    yield browser
    browser.quit()


@pytest.fixture(scope="session")
def site(driver, accord, artifacts):
    """The browser, logged in as the demo tenant's admin (e-mail address and password)."""
    site = Site(driver, accord.url, artifacts)
    site.open(LoginPage).screenshot("login")
    page = site.login(accord.admin_email, accord.admin_password)
    assert page.heading == "Overview", f"logging in did not lead to the overview: {driver.current_url} {page.errors}"
    return site
