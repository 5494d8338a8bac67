"""Debian's Chromium, launched the same way for the journeys and for the screenshots."""

CHROMIUM = "/usr/bin/chromium"  # never a downloaded browser
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def log_in(page, username, password, then="/admin/"):
    """Sign in on the admin's login form (in Simplified Chinese) and wait to arrive at ``then``."""
    page.goto(f"/admin/login/?next={then}")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"**{then}")
