"""The stored notebooks as a learner sees them: JupyterLab in Debian's Chromium.

The test starts JupyterLab on 127.0.0.1 (a free port, no token, its own HOME, config and
runtime folders, on a copy of the notebooks so nothing stored is changed) and stops it at
the end. Chromium is the system's (never a browser downloaded by Playwright). Without
Chromium or Playwright the tests skip, and fail under SCALARGRAD_REQUIRE_ORACLES=1.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import missing_oracle, require

NOTEBOOKS = Path(__file__).resolve().parent.parent / 'notebooks'
CHROMIUM = '/usr/bin/chromium'
CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync', '--no-first-run']
SHOTS = os.environ.get('SCALARGRAD_SCREENSHOTS')  # a folder to keep the screenshots in




def notebook_named(ending):
    """The stored notebook whose name ends so (the course is renumbered now and then)."""
    found = sorted(path.name for path in NOTEBOOKS.glob(f'*{ending}'))
    assert found, f"no notebook named *{ending} in {NOTEBOOKS}"
    return found[0]


FIRST = notebook_named('_derivatives_and_the_chain_rule.ipynb')
STEPPING = notebook_named('_stepping_through_backprop.ipynb')
OTHER = sorted(path.name for path in NOTEBOOKS.glob('*.ipynb'))[1]
EXECUTED = (FIRST, STEPPING)


def execute(path):
    """Run a notebook top to bottom and store its outputs, as `make notebooks` does."""
    nbformat = require('nbformat')
    nbclient = require('nbclient')
    notebook = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(notebook, kernel_name='python3', timeout=300,
                            resources={'metadata': {'path': str(path.parent)}},
                            record_timing=False).execute()
    nbformat.write(notebook, path)


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def wait_until_up(url, process, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterLab stopped at start (exit status {process.returncode})")
        try:
            with urllib.request.urlopen(url + 'api/status', timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"JupyterLab did not answer at {url} within {seconds} s")


@pytest.fixture(scope='module')
def lab(tmp_path_factory):
    """(url, folder): a JupyterLab serving a copy of the stored notebooks."""
    require('jupyterlab')
    if not os.access(CHROMIUM, os.X_OK):
        missing_oracle(f'{CHROMIUM} not found (Debian: apt install chromium)')
    home = tmp_path_factory.mktemp('lab-home')
    folder = tmp_path_factory.mktemp('notebooks')
    for notebook in NOTEBOOKS.glob('*.ipynb'):
        shutil.copy(notebook, folder / notebook.name)
    for name in EXECUTED:  # as `make notebooks` stores them, with this checkout's code
        execute(folder / name)
    port = free_port()
    env = {**os.environ, 'HOME': str(home), 'JUPYTER_CONFIG_DIR': str(home / 'config'),
           'JUPYTER_RUNTIME_DIR': str(home / 'runtime'), 'JUPYTER_DATA_DIR': str(home / 'data'),
           'JUPYTERLAB_SETTINGS_DIR': str(home / 'settings'),
           'JUPYTERLAB_WORKSPACES_DIR': str(home / 'workspaces'),
           'IPYTHONDIR': str(home / 'ipython'),
           'MPLBACKEND': 'module://matplotlib_inline.backend_inline'}
    settings = home / 'settings' / '@jupyterlab' / 'apputils-extension'
    settings.mkdir(parents=True)
    (settings / 'notification.jupyterlab-settings').write_text(
        '{"fetchNews": "false", "checkForUpdates": false}')
    tracker = home / 'settings' / '@jupyterlab' / 'notebook-extension'
    tracker.mkdir(parents=True)  # draw every cell, not only those scrolled into view
    (tracker / 'tracker.jupyterlab-settings').write_text('{"windowingMode": "none"}')
    command = [sys.executable, '-m', 'jupyterlab', '--no-browser', '--ServerApp.ip=127.0.0.1',
               f'--ServerApp.port={port}', '--ServerApp.port_retries=0',
               '--IdentityProvider.token=', '--ServerApp.password=',
               f'--ServerApp.root_dir={folder}', '--LabApp.news_url=None',
               '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate']
    if os.geteuid() == 0:  # a container's root: JupyterLab refuses it unless told
        command.append('--allow-root')
    log = open(home / 'lab.log', 'wb')
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    url = f'http://127.0.0.1:{port}/'
    try:
        try:
            wait_until_up(url, process)
        except RuntimeError as e:
            said = (home / 'lab.log').read_text(errors='replace')[-1500:]
            pytest.fail(f"{e}\n{said}", pytrace=False)
        yield url, folder
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()


@pytest.fixture(scope='module')
def browser(tmp_path_factory):
    sync_api = require('playwright.sync_api')
    if not os.access(CHROMIUM, os.X_OK):
        missing_oracle(f'{CHROMIUM} not found (Debian: apt install chromium)')
    home = tmp_path_factory.mktemp('chromium-home')
    env = {**os.environ, 'HOME': str(home), 'XDG_CONFIG_HOME': str(home / 'config'),
           'XDG_CACHE_HOME': str(home / 'cache')}
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                              env=env, timeout=60_000)
        yield chromium
        chromium.close()


PANEL = '.jp-NotebookPanel:not(.lm-mod-hidden)'  # the notebook shown, not others in the dock


class Tab:
    """A browser tab on a notebook, collecting console errors."""

    opened = 0

    def __init__(self, browser, url, name):
        self.page = browser.new_page(viewport={'width': 1280, 'height': 900})
        self.page.set_default_timeout(60_000)
        self.errors = []
        self.page.on('console', lambda m: self.errors.append(m.text) if m.type == 'error'
                     else None)
        self.page.on('pageerror', lambda e: self.errors.append(str(e)))
        Tab.opened += 1  # a workspace of its own: no tab of an earlier test comes back
        self.page.goto(f'{url}lab/workspaces/test{Tab.opened}/tree/{name}?reset')
        self.page.wait_for_selector(f'{PANEL} .jp-Cell')
        self.page.wait_for_selector(f'{PANEL} .jp-OutputArea-output')
        self.name = name

    def shot(self, tmp_path, what, near=None):
        """A screenshot of the window (scrolled to the element `near`, when given)."""
        if near is not None:
            near.scroll_into_view_if_needed()
        path = Path(SHOTS or tmp_path) / f'{Path(self.name).stem}-{what}.png'
        self.page.screenshot(path=str(path))
        return path

    def outputs_text(self):
        return self.page.eval_on_selector_all(f'{PANEL} .jp-OutputArea-output',
                                              'os => os.map(o => o.innerText).join("\\n")')

    def images(self):
        """(natural width, shown width) of every image output."""
        return self.page.eval_on_selector_all(
            f'{PANEL} .jp-OutputArea-output img',
            'imgs => imgs.map(i => [i.naturalWidth, i.getBoundingClientRect().width])')

    def kernel_idle(self, seconds=240):
        idle = f'{PANEL} .jp-Notebook-ExecutionIndicator[data-status="idle"]'
        self.page.wait_for_selector(idle, timeout=seconds * 1000)

    def close(self):
        self.page.close()


@pytest.fixture
def tab(lab, browser):
    opened = []

    def open_notebook(name):
        opened.append(Tab(browser, lab[0], name))
        return opened[-1]
    yield open_notebook
    for t in opened:
        t.close()


def test_a_stored_notebook_shows_its_graphs_as_pictures_before_it_is_run(tab, tmp_path):
    notebook = tab(FIRST)
    notebook.page.wait_for_timeout(2000)
    drawn = notebook.page.locator(
        f'{PANEL} .jp-CodeCell:has(.jp-InputArea:has-text("draw_dot("))')
    assert drawn.count() >= 2
    for k in range(drawn.count()):
        outputs = drawn.nth(k).locator('.jp-OutputArea-output')
        assert outputs.locator('img').count() >= 1, outputs.all_inner_texts()
    notebook.shot(tmp_path, 'opened', near=drawn.nth(0).locator('img').first)
    text = notebook.outputs_text()
    assert '<Picture of a graph' not in text
    images = notebook.images()
    assert all(natural > 0 for natural, _ in images)
    column = notebook.page.eval_on_selector(f'{PANEL} .jp-Notebook', 'n => n.clientWidth')
    assert all(shown <= column for _, shown in images)


def test_the_step_through_slider_shows_a_picture_before_the_notebook_is_run(tab, tmp_path):
    notebook = tab(STEPPING)
    notebook.page.wait_for_timeout(2000)
    slider = notebook.page.locator(f'{PANEL} .jp-CodeCell').filter(
        has_text='step_through(').filter(has_not_text='widget=False').first
    assert slider.locator('.jp-OutputArea-output img').count() == 1
    notebook.shot(tmp_path, 'opened', near=slider.locator('.jp-OutputArea-output'))
    assert 'VBox(children' not in notebook.outputs_text()
    assert len(notebook.images()) >= 3


def test_opening_a_stored_notebook_does_not_mark_it_modified(tab):
    notebook = tab(OTHER)
    notebook.kernel_idle()
    notebook.page.wait_for_timeout(3000)  # the kernel's info arrives and is compared
    dirty = notebook.page.eval_on_selector_all('.lm-TabBar-tab.jp-mod-dirty', 'ts => ts.length')
    assert dirty == 0


def run_all(notebook):
    page = notebook.page
    notebook.kernel_idle()
    page.click('.lm-MenuBar-itemLabel:text-is("Run")')
    page.click('.lm-Menu-itemLabel:text-is("Run All Cells")')
    prompts = (f"[...document.querySelectorAll('{PANEL} .jp-CodeCell .jp-InputArea-prompt')]"
               f".map(p => p.innerText.trim())")
    # queued cells show [*]; done when every code cell shows its new count, [3]
    page.wait_for_function(f"() => {prompts}.some(p => p === '[*]:')", timeout=60_000)
    page.wait_for_function(f"() => {prompts}.every(p => /^\\[\\d+\\]:$/.test(p))",
                           timeout=600_000, polling=1000)
    notebook.kernel_idle(seconds=400)


def test_running_the_stepping_notebook_the_slider_moves_the_picture_and_caption(tab, tmp_path):
    notebook = tab(STEPPING)
    run_all(notebook)
    page = notebook.page
    page.wait_for_selector('.widget-hslider .noUi-handle, .widget-hslider .slider-container')
    step = page.locator(f'{PANEL} .jupyter-widgets.widget-vbox').first
    step.scroll_into_view_if_needed()
    caption = step.locator('.widget-html').nth(0)
    picture = step.locator('.widget-html').nth(1)
    before_caption, before_picture = caption.inner_text(), picture.inner_html()
    assert before_caption.startswith('frame 1 of')
    readout = step.locator('.widget-readout').first.inner_text()
    assert readout.strip() == '1'  # counts like the caption
    notebook.shot(tmp_path, 'ran')
    handle = step.locator('.noUi-handle').first
    handle.focus()
    page.keyboard.press('ArrowRight')
    page.wait_for_function('(el) => el.innerText.startsWith("frame 2 of")',
                           arg=caption.element_handle())
    assert caption.inner_text() != before_caption and picture.inner_html() != before_picture
    assert step.locator('.widget-readout').first.inner_text().strip() == '2'
    notebook.shot(tmp_path, 'moved')
    assert notebook.errors == []


IN_VIEW = '''(box) => {
    const outer = box.getBoundingClientRect();
    const red = [...box.querySelectorAll('g.node [stroke="#d62728"]')];
    if (!red.length) { return 'no red node'; }
    return red.every(shape => {
        const r = shape.getBoundingClientRect();
        return r.left >= outer.left - 1 && r.right <= outer.right + 1 && r.width > 0;
    }) ? 'in view' : 'out of view';
}'''


def test_in_the_mlp_step_through_the_active_node_stays_in_view_and_nothing_jumps(tab,
                                                                                tmp_path):
    notebook = tab(STEPPING)
    run_all(notebook)
    page = notebook.page
    cell = page.locator(f'{PANEL} .jp-CodeCell').filter(has_text='step_through(loss').first
    step = cell.locator('.jupyter-widgets.widget-vbox').first
    step.scroll_into_view_if_needed()
    caption, picture = step.locator('.widget-html').nth(0), step.locator('.widget-html').nth(1)
    slider = step.locator('.widget-hslider').first
    places = []
    step.locator('.noUi-handle').first.focus()
    for frame in range(2, 9):
        page.keyboard.press('ArrowRight')
        page.wait_for_function('([el, n]) => el.innerText.startsWith("frame " + n + " of")',
                               arg=[caption.element_handle(), frame])
        assert picture.evaluate(IN_VIEW) == 'in view', frame
        top = step.bounding_box()['y']  # places within the widget: the page may scroll
        places.append((caption.bounding_box()['height'], slider.bounding_box()['x'],
                       slider.bounding_box()['y'] - top, picture.bounding_box()['y'] - top))
        if frame == 6:
            notebook.shot(tmp_path, 'mlp-frame-6', near=step)
    assert len(set(places)) == 1  # same caption height, controls and picture in place
    scroll = picture.evaluate('p => [p.scrollWidth, p.clientWidth]')
    assert scroll[0] <= scroll[1] + 1  # the picture fits: nothing to scroll sideways
    assert notebook.errors == []


def test_the_kernel_make_registers_has_the_display_name_the_stored_notebooks_carry():
    import json
    import re
    makefile = (NOTEBOOKS.parent / 'Makefile').read_text()
    install = re.search(r'ipykernel install (.*)', makefile).group(1)
    name = re.search(r'--display-name "([^"]+)"', install)
    assert name, "Makefile's ipykernel install sets no --display-name"
    for path in NOTEBOOKS.glob('*.ipynb'):
        spec = json.loads(path.read_text())['metadata']['kernelspec']
        assert spec['display_name'] == name.group(1) and spec['name'] == 'python3', path.name


def test_the_training_notebook_shows_its_boundary_grid_and_a_playing_animation_unrun(tab,
                                                                                   tmp_path):
    notebook = tab(notebook_named('_training_watched.ipynb'))
    notebook.page.wait_for_timeout(2000)
    cells = notebook.page.locator(f'{PANEL} .jp-CodeCell')
    grid = cells.filter(has_text='boundary_grid(').first.locator('.jp-OutputArea-output img')
    gif = cells.filter(has_text='save_boundary_animation(').first.locator(
        '.jp-OutputArea-output img')
    assert grid.count() == 1 and gif.count() == 1
    assert gif.get_attribute('src').startswith('data:image/gif')
    notebook.shot(tmp_path, 'grid', near=grid)
    gif.scroll_into_view_if_needed()
    seen = set()
    for _ in range(3):  # 0.4 s a frame, the last one held 2 s: it changes within 3 s
        seen.add(gif.screenshot())
        notebook.page.wait_for_timeout(1500)
    assert len(seen) >= 2, "the animation does not play"
    notebook.shot(tmp_path, 'animation', near=gif)
    column = notebook.page.eval_on_selector(f'{PANEL} .jp-Notebook', 'n => n.clientWidth')
    assert all(0 < shown <= column for _, shown in notebook.images())
    assert notebook.errors == []


@pytest.mark.parametrize('name', sorted(path.name for path in NOTEBOOKS.glob('*.ipynb')))
def test_every_stored_notebook_shows_all_its_pictures_unrun_within_the_column(tab, tmp_path,
                                                                             name):
    stored = sum('image/png' in output.get('data', {})
                 for cell in json.loads((NOTEBOOKS / name).read_text())['cells']
                 for output in cell.get('outputs', []))
    notebook = tab(name)
    drawn = (f"n => {{ const imgs = [...document.querySelectorAll("
             f"'{PANEL} .jp-OutputArea-output img')]; return imgs.length >= n"
             f" && imgs.every(i => i.complete && i.naturalWidth > 0); }}")
    notebook.page.wait_for_function(drawn, arg=stored)
    images = notebook.images()
    assert len(images) >= stored >= 1, f"{name}: {len(images)} pictures shown, {stored} stored"
    column = notebook.page.eval_on_selector(f'{PANEL} .jp-Notebook', 'n => n.clientWidth')
    assert all(0 < shown <= column for _, shown in images), f"{name}: a picture wider than " \
                                                            f"the column ({column} px)"
    assert '<svg' not in notebook.outputs_text(), f"{name}: a picture shown as SVG text"
    notebook.shot(tmp_path, 'first-picture',
                  near=notebook.page.locator(f'{PANEL} .jp-OutputArea-output img').first)
    assert notebook.errors == []
