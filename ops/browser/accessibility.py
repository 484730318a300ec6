"""The accessibility check: axe-core (bundled by selenium-axe-python) run in the page. Each page's whole result is
kept as JSON beside its screenshot; serious and critical violations fail the test that asked."""

import json

from selenium_axe_python import Axe

FAILING_IMPACTS = ("serious", "critical")


def check_accessibility(page, name):
    axe = Axe(page.driver)
    axe.inject()
    results = axe.run()
    page.site.artifacts.mkdir(parents=True, exist_ok=True)
    (page.site.artifacts / f"axe-{name}.json").write_text(json.dumps(results["violations"], indent=2))
    failing = [v for v in results["violations"] if v.get("impact") in FAILING_IMPACTS]
    summary = "; ".join(f"{v['id']} ({v['impact']}, {len(v['nodes'])}×): {v['help']} — e.g. {v['nodes'][0]['html'][:160]}" for v in failing)
    assert not failing, f"{name}: accessibility violations: {summary}"
