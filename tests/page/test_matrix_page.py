"""The matrix page as a browser shows it: headless Chromium opens the page assembled from a real
run's cells, and its screenshot must show every column, headed with that cell's versions, in order,
each coloured by its cells' outcomes. Set HEADLESS_CONFORMANCE_MATRIX_PAGE to a matrix.html (with its
matrix.json beside it) to check that page too, as scripts/test does after its own matrix run."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from common.releases import IP_FAMILIES
from headless_conformance.results.cells import Cell
from headless_conformance.results.matrix import assemble
from headless_conformance.results.matrix_page import write

ROOT = Path(__file__).resolve().parents[2]
REAL_RUN = Path(__file__).parent / "data" / "matrix-cells"  # the cells of one 4 × 3 run on this machine
SCREENSHOTS = ROOT / "reports"
LAPTOP = (1440, 900)
# what each column of that run must say: the patch the Go module proxy served, and the CoreDNS its kubeadm pins
RIGHT_VERSIONS = {"1.34": ("v1.34.4", "v1.12.1"), "1.35": ("v1.35.4", "v1.13.1"),
                  "1.36": ("v1.36.3", "v1.14.2"), "1.37": ("v1.37.2", "v1.14.6")}
COLOURS = {"passed": (223, 240, 216), "xfailed": (248, 215, 184), "failed": (242, 222, 222),
           "skipped": (245, 245, 245), "not run": (245, 245, 245)}


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    chromium = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
    driver_path = shutil.which("chromedriver")
    if not (chromium and driver_path):
        pytest.fail("chromium and chromedriver are needed for the page check: run scripts/setup "
                    "(Debian: apt-get install chromium chromium-driver)", pytrace=False)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=Service(driver_path))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def screenshot(driver: webdriver.Chrome, page: Path, keep_as: str) -> Image.Image:
    """The whole page at one CSS pixel per image pixel, kept in reports/ for a human to look at."""
    driver.get(page.resolve().as_uri())
    width, height = driver.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
    SCREENSHOTS.mkdir(exist_ok=True)
    shot = SCREENSHOTS / keep_as
    assert driver.save_screenshot(str(shot)), "Chromium took no screenshot"
    return Image.open(shot).convert("RGB")


def assert_fits_a_laptop(driver: webdriver.Chrome, page: Path, keep_as: str) -> None:
    """At 1440 × 900 every column header is on the first screen, no sideways scrolling."""
    driver.get(page.resolve().as_uri())
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": LAPTOP[0], "height": LAPTOP[1], "deviceScaleFactor": 1, "mobile": False})
    SCREENSHOTS.mkdir(exist_ok=True)
    assert driver.save_screenshot(str(SCREENSHOTS / keep_as)), "Chromium took no screenshot"
    for head in driver.find_elements(By.CSS_SELECTOR, "th.col"):
        box = head.rect
        assert box["x"] + box["width"] <= LAPTOP[0] and box["y"] + box["height"] <= LAPTOP[1], (
            f"{head.get_attribute('data-key')}: header at {box} is off a {LAPTOP[0]}×{LAPTOP[1]} screen")


def assert_shows(driver: webdriver.Chrome, page: Path, matrix: dict, keep_as: str) -> None:
    assert_fits_a_laptop(driver, page, keep_as.replace(".png", "-1440x900.png"))
    image = screenshot(driver, page, keep_as)
    columns = matrix["columns"]
    heads = driver.find_elements(By.CSS_SELECTOR, "th.col")
    assert [h.get_attribute("data-key") for h in heads] == [c["key"] for c in columns]
    right_edge = 0.0
    for head, column in zip(heads, columns, strict=True):
        box = head.rect
        assert head.is_displayed(), f"{column['key']}: header not displayed"
        assert box["x"] >= right_edge - 1, f"{column['key']}: header overlaps the one before it"
        assert box["x"] + box["width"] <= image.width and box["y"] + box["height"] <= image.height, (
            f"{column['key']}: header at {box} lies outside the {image.width}×{image.height} screenshot")
        right_edge = box["x"] + box["width"]
        lines = head.text.splitlines()
        if column["error"]:
            assert "not run" in lines, head.text  # the why folded under it
            why = head.find_element(By.CSS_SELECTOR, "details.why .msg").get_attribute("textContent")
            assert why == column["error"], why
            continue
        assert lines[:4] == [column["kubernetes"], column["ip_family"], "CoreDNS", column["coredns"]], head.text
        assert head.get_attribute("title") == f"node {column['node_image']}; kind {column['kind']}"
    # each column's cells are painted in their outcome's colour, where the screenshot shows them
    rows = driver.find_elements(By.CSS_SELECTOR, "tbody tr:not(.level)")
    assert len(rows) == len(matrix["rows"])
    for index, column in enumerate(columns):
        shown = {}
        for row, data in zip(rows, matrix["rows"], strict=True):
            outcome = data["results"][column["key"]]["outcome"]
            if outcome in COLOURS and outcome not in shown:
                box = row.find_elements(By.TAG_NAME, "td")[index + 1].rect
                shown[outcome] = image.getpixel((int(box["x"]) + 3, int(box["y"]) + 2))
                assert shown[outcome] == COLOURS[outcome], (
                    f"{column['key']}, {data['check']}: {outcome} painted {shown[outcome]}, not {COLOURS[outcome]}")
        assert shown, f"{column['key']}: no cell of the column is shown"
    summary = driver.find_element(By.ID, "summary").text
    assert summary.startswith(f"{matrix['pass_everywhere']} of {len(matrix['rows'])} checks pass everywhere")


def test_the_page_of_a_real_run_shows_all_twelve_columns_with_their_versions(
        browser: webdriver.Chrome, tmp_path: Path) -> None:
    cells = [Cell.load(path) for path in sorted(REAL_RUN.glob("matrix-*.json"))]
    page, data = write(assemble(cells), tmp_path)
    matrix = json.loads(data.read_text())

    assert [c["key"] for c in matrix["columns"]] == [f"{v}/{f}" for v in RIGHT_VERSIONS for f in IP_FAMILIES]
    for column in matrix["columns"]:
        kubernetes, coredns = RIGHT_VERSIONS[column["key"].split("/")[0]]
        assert (column["kubernetes"], column["coredns"]) == (kubernetes, coredns)
        assert column["node_image"] == f"headless-conformance/node:{kubernetes}"
    assert_shows(browser, page, matrix, "matrix-page-test.png")


@pytest.mark.skipif(not os.environ.get("HEADLESS_CONFORMANCE_MATRIX_PAGE"),
                    reason="HEADLESS_CONFORMANCE_MATRIX_PAGE names no page of this machine's run")
def test_the_page_of_this_machines_run_shows_each_of_its_columns(browser: webdriver.Chrome) -> None:
    page = Path(os.environ["HEADLESS_CONFORMANCE_MATRIX_PAGE"])
    assert_shows(browser, page, json.loads(page.with_suffix(".json").read_text()), "matrix-page.png")
