"""The step-through page in a real browser: headless Chromium, driven by Playwright.

Uses the system's Chromium (Debian's `chromium` package; .ci/run installs it), never a
browser downloaded by `playwright install`. Without Chromium the test skips locally and
fails under CI (SCALARGRAD_REQUIRE_ORACLES=1).
"""

import io
import os
import shutil

import pytest
from conftest import missing_oracle, require

from engine import Value, save_steps_html

CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
                 '--no-first-run', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync']


def find_chromium():
    for name in ('chromium', 'chromium-browser'):
        found = shutil.which(name)
        if found:
            return found
    return '/usr/bin/chromium' if os.access('/usr/bin/chromium', os.X_OK) else None


@pytest.fixture(scope='module')
def browser(tmp_path_factory):
    sync_api = require('playwright.sync_api')
    executable = find_chromium()
    if executable is None:
        missing_oracle('chromium not found')
    home = tmp_path_factory.mktemp('chromium-home')  # its settings and caches go here
    env = {**os.environ, 'HOME': str(home), 'XDG_CONFIG_HOME': str(home / 'config'),
           'XDG_CACHE_HOME': str(home / 'cache')}
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS,
                                              env=env, timeout=60_000)
        yield chromium
        chromium.close()


@pytest.fixture(scope='module')
def steps_page(tmp_path_factory):
    """The lecture neuron's step-through page, saved once for all the tests here."""
    x, w, b = Value(2.0, 'x'), Value(-3.0, 'w'), Value(6.8813735870195432, 'b')
    y = (x * w + b).tanh()
    return save_steps_html(y, tmp_path_factory.mktemp('page') / 'steps.html',
                           title='tanh(x*w + b)')


@pytest.fixture
def page(browser, steps_page):
    """A fresh tab showing the page, opened from its file:// address."""
    path = steps_page
    tab = browser.new_page(viewport={'width': 1200, 'height': 800})
    tab.set_default_timeout(10_000)
    requests = []
    tab.on('request', lambda request: requests.append(request.url))
    tab.goto(path.as_uri())
    tab.requested = requests
    yield tab
    tab.close()


def visible_frames(tab):
    return tab.eval_on_selector_all('.frame', 'fs => fs.filter(f => !f.hidden).length')


def test_next_changes_the_step_shown(page):
    assert page.inner_text('#counter') == 'frame 1 of 4'
    assert page.inner_text('#caption').startswith('start:')
    page.click('#next')
    assert page.inner_text('#counter') == 'frame 2 of 4'
    assert page.inner_text('#caption').startswith('step 1 of 3: the tanh node')
    assert visible_frames(page) == 1


def test_previous_and_the_arrow_keys_move_through_the_frames(page):
    assert page.is_disabled('#prev')
    page.keyboard.press('ArrowRight')
    page.keyboard.press('ArrowRight')
    assert page.inner_text('#counter') == 'frame 3 of 4'
    page.click('#prev')
    assert page.inner_text('#counter') == 'frame 2 of 4'
    page.keyboard.press('End')
    assert page.inner_text('#counter') == 'frame 4 of 4' and page.is_disabled('#next')
    assert 'Done: every gradient is computed.' in page.inner_text('#caption')


def test_play_steps_on_by_itself(page):
    page.click('#play')
    page.wait_for_function("document.getElementById('counter').textContent === 'frame 2 of 4'",
                           timeout=5_000)
    assert 'pause' in page.inner_text('#play')
    page.click('#play')
    assert 'play' in page.inner_text('#play')


def test_the_page_fetches_nothing_but_itself(page):
    page.click('#next')
    assert [url for url in page.requested if not url.startswith('file://')] == []
    assert len(page.requested) == 1


def test_a_screenshot_of_the_page_is_not_blank(page, tmp_path):
    image = require('matplotlib.image')
    np = require('numpy')
    page.click('#next')
    png = page.screenshot(path=str(tmp_path / 'step.png'), full_page=True)
    assert png[:8] == b'\x89PNG\r\n\x1a\n'
    pixels = image.imread(io.BytesIO(png), format='png')
    height, width = pixels.shape[:2]
    assert width >= 1000 and height >= 300
    colours = np.unique(pixels[::2, ::2, :3].reshape(-1, 3).round(2), axis=0)
    assert len(colours) > 20  # text, boxes in several fills, red and orange outlines
    white = (pixels[:, :, :3] > 0.98).all(axis=2).mean()
    assert 0.3 < white < 0.99  # mostly page, but plenty drawn on it
