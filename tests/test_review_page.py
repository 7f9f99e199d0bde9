"""The review page in a real headless browser (Debian's chromium, driven by Playwright): approve the plan,
reshoot a shot, approve all, and watch the film arrive. Nothing is fetched from outside 127.0.0.1."""

from __future__ import annotations

import io
import os
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from shotgraph.production.director import Director
from shotgraph.review.server import bind, create_app
from test_make import SCRIPT, small_profile

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and not os.environ.get("CI"):
    pytest.skip("no chromium here (apt-get install chromium); CI installs it", allow_module_level=True)
WAIT_MS = 180_000


@pytest.fixture
def served(tmp_path: Path):
    import uvicorn

    script = tmp_path / "kettle.fountain"
    script.write_text(SCRIPT, encoding="utf-8")
    director = Director(script, profile=small_profile(tmp_path), workdir=tmp_path / "work", review=True)
    app = create_app(director)
    sock = bind("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=1))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    app.state.worker.start()  # as `shotgraph review` does: the run goes to its first review point
    yield f"http://127.0.0.1:{sock.getsockname()[1]}", app, tmp_path
    server.should_exit = True
    thread.join(10)
    app.state.worker.wait(60)


def test_a_review_in_the_browser_from_plan_to_film(served) -> None:
    from playwright.sync_api import sync_playwright

    base, app, tmp_path = served
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("request", lambda request: requests.append(request.url))
        page.goto(f"{base}/?token={app.state.token}")

        # 1. The plan: each scene's shots with their dialogue as written, waiting for approval.
        page.wait_for_selector('#status[data-state="waiting-plan"]', timeout=WAIT_MS)
        assert page.locator(".scene h2").all_inner_texts() == ["INT. KITCHEN - NIGHT", "EXT. GARDEN - DAY"]
        assert "ANNA: Is it raining out there?" in page.locator("#scenes").inner_text()
        page.click("#approve-plan")

        # 2. The shots, as a contact sheet of keyframes.
        page.wait_for_selector('#status[data-state="waiting-shots"]', timeout=WAIT_MS)
        page.wait_for_function("document.querySelectorAll('.card img').length === 9", timeout=WAIT_MS)
        page.wait_for_function("[...document.querySelectorAll('.card img')].every(i => i.complete && i.naturalWidth)")
        card = page.locator('.card[data-shot="sc002-sh02"]')
        before = card.locator("img").get_attribute("src")
        card.click()
        assert page.locator("#d-id").inner_text() == "sc002-sh02"
        page.wait_for_function("document.querySelector('#d-clip').readyState >= 1", timeout=30_000)
        assert page.evaluate("document.querySelector('#d-clip').duration") > 1.0

        # 3. What an edit would recompute, then a reshoot with a new seed.
        page.fill("#d-prompt", "a soaked man at a garden gate, rain, dusk")
        page.wait_for_function("document.querySelector('#d-estimate').textContent.includes('recomputes')")
        assert page.locator("#d-estimate").inner_text() == "This reshoot recomputes keyframe 1, video 1, upscale 1"
        page.click("#d-new-seed")
        page.wait_for_function(
            f"(() => {{ const i = document.querySelector('.card[data-shot=\"sc002-sh02\"] img');"
            f" return i && i.getAttribute('src') !== {before!r} && i.complete && i.naturalWidth; }})()",
            timeout=WAIT_MS)
        page.wait_for_selector('#status[data-state="waiting-shots"]', timeout=WAIT_MS)

        # 4. Approve everything: the film is delivered and plays in the page.
        page.click("#approve-all")
        page.wait_for_selector('#status[data-state="delivered"]', timeout=WAIT_MS)
        page.wait_for_selector("#film-section:not([hidden])", timeout=30_000)
        page.wait_for_function("document.querySelector('#film').readyState >= 1", timeout=30_000)
        assert abs(page.evaluate("document.querySelector('#film').duration") - app.state.director.make().seconds) < 0.1
        shot = page.screenshot(full_page=True)
        browser.close()

    assert (tmp_path / "kettle.mp4").stat().st_size > 10_000
    pixels = np.asarray(Image.open(io.BytesIO(shot)).convert("RGB"), dtype=np.float32)
    assert pixels.std() > 20 and len(np.unique(pixels.reshape(-1, 3), axis=0)) > 500  # not a blank page
    Path(os.environ.get("SHOTGRAPH_SCREENSHOT", tmp_path / "review.png")).write_bytes(shot)
    assert requests and all(url.startswith(base) for url in requests)  # nothing from outside: works offline
