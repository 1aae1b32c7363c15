#!/usr/bin/python3
"""Drives Debian's headless Chromium with Selenium against the jitd page of a real Cockpit and
checks it against jit-request run as the same users in the container. Run by cockpit-test.sh
inside the container's network namespace only (the browser reaches the container's 127.0.0.1).
  browser_test.py BASE_URL ARTIFACT_DIR   (environment: JITD_CONTAINER_PID, the users' passwords)
A failed check, a page that does not load, or any error in the browser console exits 1."""
import datetime
import json
import os
import subprocess
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

BASE, ARTIFACTS = sys.argv[1], sys.argv[2]
PID = os.environ["JITD_CONTAINER_PID"]
PAGE = BASE + "/cockpit/@localhost/jitd/index.html"
STARTED = time.monotonic()


def step(text):
    print(f"== browser: {text} ({time.monotonic() - STARTED:.0f}s)", flush=True)


def fail(text):
    print(f"FAIL: {text}", file=sys.stderr, flush=True)
    sys.exit(1)


def as_user(user, *argv, text=True):
    """argv run in the container as user, with the user's groups, as a login would."""
    cmd = ["nsenter", "-t", PID, "-a", "env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
           "LANG=C.UTF-8", "setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups", *argv]
    return subprocess.run(cmd, capture_output=True, text=text, check=False)


def client_json(user, *args):
    out = as_user(user, "jit-request", *args)
    if out.returncode != 0:
        fail(f"jit-request {' '.join(args)} as {user}: exit {out.returncode}: {out.stderr}")
    return json.loads(out.stdout)


class Browser:
    def __init__(self, downloads):
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    "--window-size=1280,800", "--no-first-run", "--disable-extensions"):
            options.add_argument(arg)
        options.add_experimental_option("prefs", {"download.default_directory": downloads,
                                                  "download.prompt_for_download": False})
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        service = Service(executable_path="/usr/bin/chromedriver",
                          log_path=os.path.join(ARTIFACTS, "chromedriver.log"))
        self.driver = webdriver.Chrome(options=options, service=service)
        self.wait = WebDriverWait(self.driver, 60, poll_frequency=0.2)
        self.console = []

    def errors(self, where):
        """The console entries since the last call; any SEVERE one (a JS error, a failed load)
        fails the test."""
        entries = self.driver.get_log("browser")
        self.console += [f"{where}: {e['level']} {e['message']}" for e in entries]
        return [e["message"] for e in entries if e["level"] == "SEVERE"]

    def login(self, user, password):
        d = self.driver
        d.delete_all_cookies()
        d.get(BASE + "/")
        self.wait.until(ec.element_to_be_clickable((By.ID, "login-user-input"))).send_keys(user)
        d.find_element(By.ID, "login-password-input").send_keys(password)
        d.find_element(By.ID, "login-button").click()
        # The shell is up (the session exists) when it has framed its first page.
        self.wait.until(lambda drv: drv.get_cookie("cockpit") is not None and
                        drv.find_elements(By.CSS_SELECTOR, "iframe.container-frame"))
        # Cockpit's shell with the page in its frame, for the artifacts.
        d.get(BASE + "/jitd")
        frame = self.wait.until(ec.presence_of_element_located(
            (By.CSS_SELECTOR, 'iframe[name="cockpit1:localhost/jitd"]')))
        d.switch_to.frame(frame)
        self.loaded()
        d.switch_to.default_content()
        self.shot(f"shell-{user}")
        self.errors(f"shell as {user}")  # Cockpit's own shell: kept in the log, not judged
        # The page itself, at the frame's URL but at the top level, so that its console is
        # judged alone.
        d.get(PAGE)
        self.loaded()
        bad = self.errors(f"page as {user}")
        if bad:
            fail(f"console errors loading the page as {user}: {bad}")

    def loaded(self):
        try:
            self.wait.until(lambda drv: drv.find_element(By.TAG_NAME, "body").get_attribute("data-loaded"))
        except TimeoutException:
            fail(f"the page did not load: {self.driver.page_source[:2000]}")
        problem = self.driver.find_element(By.ID, "problem")
        if problem.is_displayed():
            fail(f"the page shows a problem: {problem.text}")

    def tab(self, name):
        self.driver.find_element(By.ID, "tab-" + name).click()
        self.wait.until(lambda drv: drv.find_element(By.ID, "view-" + name).is_displayed())

    def shot(self, name):
        self.driver.save_screenshot(os.path.join(ARTIFACTS, name + ".png"))

    def rows(self, table):
        return [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
                for tr in self.driver.find_elements(By.CSS_SELECTOR, f"#{table} tbody tr")]

    def text(self, element_id):
        return self.driver.find_element(By.ID, element_id).text


def main():
    downloads = os.path.join(ARTIFACTS, "downloads")
    os.makedirs(downloads, exist_ok=True)
    b = Browser(downloads)
    d = b.driver
    try:
        run(b, d, downloads)
    finally:
        b.errors("end")
        with open(os.path.join(ARTIFACTS, "console.log"), "w", encoding="utf-8") as f:
            f.write("\n".join(b.console) + "\n")
        d.quit()


def run(b, d, downloads):
    requester, viewer = os.environ["JITD_REQUESTER"], os.environ["JITD_VIEWER"]
    password = os.environ["JITD_PASSWORD"]

    step(f"login as {requester}")
    b.login(requester, password)
    status = client_json(requester, "status", "--json")
    if status["role"] != "requester":
        fail(f"{requester} has role {status['role']}")
    if requester not in b.text("whoami") or "requester" not in b.text("whoami"):
        fail(f"the page does not say who is signed in: {b.text('whoami')}")

    step("ports")
    want = [[str(p["port"]), p["protocol"], p["max_duration"],
             ", ".join(p["allowed_sources"]) if isinstance(p["allowed_sources"], list) else p["allowed_sources"],
             str(p["active_grants"])] for p in status["ports"]]
    have = [r[:5] for r in b.rows("ports-table")]
    if have != want:
        fail(f"ports table {have} is not status --json {want}")
    rec = [[str(r["port"]), r["protocol"], r["service"]] for r in status.get("recommended", [])]
    if [r[:3] for r in b.rows("recommended-table")] != rec:
        fail(f"recommended table {b.rows('recommended-table')} is not {rec}")
    b.shot("ports-1280x800")
    # The tabs take the arrow keys (WAI-ARIA tabs).
    d.find_element(By.ID, "tab-ports").send_keys(Keys.ARROW_RIGHT)
    b.wait.until(lambda drv: drv.switch_to.active_element.get_attribute("id") == "tab-request" and
                 drv.find_element(By.ID, "view-request").is_displayed())
    d.switch_to.active_element.send_keys(Keys.ARROW_LEFT)
    b.wait.until(lambda drv: drv.find_element(By.ID, "view-ports").is_displayed())

    step("request access")
    b.tab("request")
    # Keyboard only: the port list, then "My IP" (the browser's address as Cockpit saw it).
    Select(d.find_element(By.ID, "req-port")).select_by_value("22/tcp")
    myip = d.find_element(By.ID, "req-myip")
    myip.send_keys(Keys.ENTER)
    b.wait.until(lambda drv: drv.find_element(By.ID, "req-source").get_attribute("value"))
    source = d.find_element(By.ID, "req-source").get_attribute("value")
    if source != "127.0.0.1":
        fail(f"My IP gave {source!r}, not the browser's 127.0.0.1")
    # Over the maximum: the daemon's refusal, in its own words.
    d.find_element(By.ID, "req-duration").send_keys("2h")
    d.find_element(By.ID, "req-reason").send_keys("browser test")
    d.find_element(By.ID, "req-submit").click()
    b.wait.until(lambda drv: drv.find_element(By.ID, "request-result").text)
    refusal = b.text("request-result")
    if refusal != "2h exceeds the maximum of 1h for port 22/tcp":
        fail(f"a 2h request on a 1h port was not refused with the daemon's sentence: {refusal!r}")
    b.shot("request-refused")
    field = d.find_element(By.ID, "req-duration")
    field.clear()
    field.send_keys("30m", Keys.ENTER)  # Enter submits the form
    b.wait.until(lambda drv: "Granted" in drv.find_element(By.ID, "request-result").text)
    grant_id = b.text("request-result").split()[1].rstrip(":")
    listed = client_json(requester, "list", "--json")
    mine = [g for g in listed if g["id"] == grant_id]
    if not mine or mine[0]["source"] != "127.0.0.1/32" or mine[0]["port"] != 22 or mine[0]["reason"] != "browser test":
        fail(f"grant {grant_id} is not in jit-request list as asked: {listed}")
    b.shot("request-granted")

    step("active grants")
    b.tab("grants")
    b.wait.until(lambda drv: drv.find_elements(By.CSS_SELECTOR, f'tr[data-grant="{grant_id}"]'))
    row = d.find_element(By.CSS_SELECTOR, f'tr[data-grant="{grant_id}"]')
    countdown = row.find_element(By.CLASS_NAME, "jitd-countdown")
    first = countdown.text
    b.wait.until(lambda drv: countdown.text != first)  # it ticks
    b.shot("grants-1280x800")
    d.set_window_size(390, 844)
    b.shot("grants-390x844")
    scroll, inner = d.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    if inner > 400 or scroll > inner:
        fail(f"at 390x844 the page is {scroll}px wide in a {inner}px window (tables should scroll inside)")
    d.set_window_size(1280, 800)
    row.find_element(By.CLASS_NAME, "jitd-revoke").click()
    b.wait.until(lambda drv: "revoked" in drv.find_element(By.ID, "grants-result").text)
    if any(g["id"] == grant_id for g in client_json(requester, "list", "--json")):
        fail(f"{grant_id} is still listed after the page revoked it")
    b.wait.until(lambda drv: not drv.find_elements(By.CSS_SELECTOR, f'tr[data-grant="{grant_id}"]'))

    step("request until an end time")
    b.tab("request")
    Select(d.find_element(By.ID, "req-port")).select_by_value("22/tcp")
    d.find_element(By.ID, "req-mode-until").click()
    # 20 minutes from now on the browser's clock, in the field's local form, and that time in UTC.
    local, end = d.execute_script("""
        const t = new Date(Date.now() + 20 * 60000);
        t.setSeconds(0, 0);
        const two = n => String(n).padStart(2, "0");
        const local = t.getFullYear() + "-" + two(t.getMonth() + 1) + "-" + two(t.getDate()) + "T" +
            two(t.getHours()) + ":" + two(t.getMinutes());
        const field = document.getElementById("req-until");
        field.value = local;
        return [local, t.toISOString().replace(/\.000Z$/, "Z")];
    """)
    d.find_element(By.ID, "req-submit").click()
    b.wait.until(lambda drv: "Granted" in drv.find_element(By.ID, "request-result").text)
    until_id = b.text("request-result").split()[1].rstrip(":")
    until_grant = [g for g in client_json(requester, "list", "--json") if g["id"] == until_id]
    # The page sends the whole seconds left until the end: the grant ends then, less the time
    # the request took to reach jitd (a minute's slack: a time-zone slip is hours, the port's
    # default 40 minutes more).
    parse = lambda t: datetime.datetime.fromisoformat(t.replace("Z", "+00:00"))
    early = (parse(end) - parse(until_grant[0]["end"])).total_seconds() if until_grant else None
    if early is None or not 0 <= early <= 60:
        fail(f"until {local} (local) = {end} UTC made {until_grant}")
    d.find_element(By.ID, "req-mode-for").click()

    step("pending approval")
    b.tab("request")
    Select(d.find_element(By.ID, "req-port")).select_by_value("5985/tcp")
    d.find_element(By.ID, "req-duration").clear()  # empty: the port's maximum
    d.find_element(By.ID, "req-submit").click()
    b.wait.until(lambda drv: "waits for approval" in drv.find_element(By.ID, "request-result").text)
    request_id = b.text("request-result").split()[1]
    pending = client_json(requester, "pending", "--json")
    if [r["id"] for r in pending] != [request_id]:
        fail(f"request {request_id} is not what jit-request pending shows: {pending}")
    b.wait.until(lambda drv: drv.find_element(By.ID, "tab-pending").is_displayed())
    b.tab("pending")
    if d.find_elements(By.CSS_SELECTOR, "#pending-table .pf-m-primary"):
        fail("the requester is offered to approve her own request")

    step("activity and CSV")
    b.tab("activity")
    b.wait.until(lambda drv: drv.find_element(By.ID, "audit-table").find_elements(By.CSS_SELECTOR, "tbody tr"))
    events = [r[1] for r in b.rows("audit-table")]
    if "grant" not in events or "revoke" not in events or "deny" not in events:
        fail(f"the activity table lacks the grant, the deny or the revoke: {events}")
    summary = b.rows("summary-table")
    if not summary or summary[0][0] != "22" or summary[0][3] != requester:
        fail(f"per-port summary: {summary}")
    b.shot("activity")
    window = d.execute_script("return [document.getElementById('audit-window').textContent]")[0]
    b.wait.until(ec.element_to_be_clickable((By.ID, "audit-csv"))).click()
    csv_path = None

    def downloaded(_):
        nonlocal csv_path
        done = [f for f in os.listdir(downloads) if f.endswith(".csv")]
        csv_path = os.path.join(downloads, done[0]) if done else None
        return csv_path

    b.wait.until(downloaded)
    since, until = window.removeprefix("From ").removesuffix(" UTC.").split(" to ")
    iso = lambda t: t.replace(" ", "T") + "Z"
    want_csv = as_user(requester, "jit-request", "audit", "--format", "csv", "--since", iso(since),
                       "--until", iso(until), text=False)
    with open(csv_path, "rb") as f:  # bytes: RFC 4180 lines end in CRLF
        have_csv = f.read()
    if want_csv.returncode != 0 or have_csv != want_csv.stdout:
        fail(f"the CSV download differs from jit-request audit --format csv:\n{have_csv}\n---\n{want_csv.stdout}")
    bad = b.errors("requester views")
    if bad:
        fail(f"console errors: {bad}")

    step(f"login as {viewer}")
    b.login(viewer, password)
    if "viewer" not in b.text("whoami"):
        fail(f"{viewer} is not shown as a viewer: {b.text('whoami')}")
    b.tab("request")
    if d.find_element(By.ID, "req-submit").is_displayed():
        fail("a viewer sees the request button")
    b.shot("request-viewer")
    # A forged request, sent from the page's console over the same channel the page uses: the
    # daemon refuses it, whatever the page shows.
    answer = d.execute_async_script("""
        const done = arguments[arguments.length - 1];
        jitdApi.call({op: "open", port: 22, protocol: "tcp", source: "127.0.0.1", duration: "5m"}).then(done);
    """)
    if answer.get("ok") or answer["error"]["code"] != "not_authorized":
        fail(f"the daemon did not refuse a viewer's forged open: {answer}")
    if [g for g in client_json(viewer, "list", "--json") if g["user"] == viewer]:
        fail("a grant exists after the viewer's forged open")

    step(f"approve as {viewer}")
    b.tab("pending")
    b.wait.until(lambda drv: drv.find_elements(By.CSS_SELECTOR, "#pending-table .pf-m-primary"))
    b.shot("pending")
    d.find_element(By.CSS_SELECTOR, "#pending-table .pf-m-primary").click()
    b.wait.until(lambda drv: "approved" in drv.find_element(By.ID, "pending-result").text)
    granted = [g for g in client_json(requester, "list", "--json") if g["port"] == 5985 and g["user"] == requester]
    if not granted:
        fail(f"approving {request_id} in the page made no grant that jit-request list shows")
    bad = b.errors("viewer views")
    if bad:
        fail(f"console errors: {bad}")

    step("jitd not running")
    stop = subprocess.run(["nsenter", "-t", PID, "-a", "systemctl", "stop", "jitd"], check=False)
    if stop.returncode != 0:
        fail("systemctl stop jitd")
    d.get(PAGE)
    b.wait.until(lambda drv: drv.find_element(By.TAG_NAME, "body").get_attribute("data-loaded"))
    problem = b.text("problem")
    if problem != "jitd is not running (nothing answers on /run/jitd/jitd.sock).":
        fail(f"with jitd stopped the page says {problem!r}")
    b.shot("not-running")
    bad = b.errors("jitd stopped")
    if bad:
        fail(f"console errors: {bad}")
    step("done")


main()
