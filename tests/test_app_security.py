"""The app under hostile data and careless clicks (AppTest): data text never becomes Markdown
links or images, data files outside the study's folder are refused, every table offers a
formula-safe CSV, the login and the viewer/editor roles, the sessions' temporary folders, and the
shipped Streamlit configuration."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analysis import charts
from analysis.i18n import t
from surveys.errors import StudyError
from tests.app_reference import app_test
from ui import auth, workspace
from ui import state as S
from ui.store import save_current

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
TIMEOUT = 180
BEACON = "![x](http://127.0.0.1:9/beacon.png)"
PHISH = "[log in again](http://127.0.0.1:9/login)"


def _app(page: str | None = None, secrets: dict | None = None, **state) -> AppTest:
    return app_test(page, "en", secrets, TIMEOUT, **state)


def _markdown_sources(at: AppTest) -> list[str]:
    """The Markdown source of every element that renders Markdown."""
    kinds = ("markdown", "caption", "subheader", "header", "title", "info", "warning", "error",
             "success")
    texts = [element.value for kind in kinds for element in getattr(at, kind)]
    texts += [element.label for element in at.expander]
    texts += [option for radio in at.radio for option in radio.options]
    texts += [widget.label for widget in at.multiselect]
    texts += [button.label for button in at.button]  # button labels are Markdown too
    return texts


def test_hostile_names_and_title_stay_text_on_every_markdown_element(tmp_path):
    """A title and names planting a link and an image: shown as text on the dashboard (headline,
    gap sentences, sidebar, detractor themes), the reliability page (group radio, warnings), whose
    tables each have a formula-safe CSV download, the Customer list, the Comments page and the
    Structural model page."""
    text = (SAMPLE / "study.yaml").read_text(encoding="utf-8")
    text = text.replace("title: D公司客户关系管理调查 2019", f"title: '{PHISH}'")
    text = text.replace("identify: {zh: 客户识别, en: Identify}",
                        f"identify: {{zh: '{BEACON}', en: '{BEACON}'}}")
    text = text.replace("customers: {zh: 客户, en: Customers}",
                        f"customers: {{zh: '{PHISH}', en: '{PHISH}'}}")
    text = text.replace("  定制与培训: [", f"  '{BEACON}': [")  # a theme with most detractors
    source = {S.SOURCE: {"yaml": text, "dir": str(SAMPLE)}}
    seen = []
    for page in ("ui/pages/0_customers.py", "ui/pages/10_comments.py",
                 "ui/pages/11_structural.py", None, "ui/pages/3_reliability.py"):
        at = _app(page, **source)
        assert not at.exception, [e.value for e in at.exception]
        sources = _markdown_sources(at)
        seen += sources
        for value in sources:
            assert "](" not in value and "![" not in value, value  # no link, no image
        if page == "ui/pages/10_comments.py":  # its tables of theme names and terms, too
            csv = [b for b in at.get("download_button") if b.proto.label == t("download_csv", "en")]
            tables = [d for d in at.dataframe if d.key != "comments_editor"]  # not the editor
            assert len(csv) == len(tables) > 0
    joined = "\n".join(seen)
    assert "\\!\\[x\\]\\(http\\:\\/\\/127\\.0\\.0\\.1\\:9\\/beacon\\.png\\)" in joined  # shown
    assert "\\[log in again\\]" in joined
    csv = [b for b in at.get("download_button") if b.proto.label == t("download_csv", "en")]
    assert len(csv) == len(at.dataframe) > 0  # one each, and no duplicate-widget error


def test_chart_labels_from_data_have_no_tags():
    results = {"study": {"names": {"a": {"en": '<a href="https://evil.example">click</a> A'}},
                         "dimensions": {"a": ["a1"]}}}
    assert charts.display_name(results, "a", "en") == "click A"
    assert charts.plain_label("x <b>y</b><br>年限<3年") == "x y年限<3年"  # a lone < stays


def test_data_files_outside_the_studys_folder_are_refused_in_the_app(tmp_path):
    text = (SAMPLE / "study.yaml").read_text(encoding="utf-8").replace(
        "customers_2019.xlsx", "/etc/group")
    at = _app(**{S.SOURCE: {"yaml": text, "dir": str(SAMPLE)}})
    assert not at.exception
    assert any("outside the folder of the uploaded files" in e.value for e in at.error)
    assert not at.metric  # nothing of /etc/group is shown
    with pytest.raises(StudyError, match="outside the folder"):  # not a ValueError
        save_current(text, SAMPLE)


def test_the_formula_safe_csv():
    import pandas as pd

    from analysis.report.safety import formula_safe_csv

    frame = pd.DataFrame({"=name": ['=HYPERLINK("http://x","y")', "@SUM(A1)", "-0.12", "+3",
                                    "\t=1", "客户", None]})
    lines = formula_safe_csv(frame).decode("utf-8-sig").splitlines()
    assert lines == ["'=name", '"\'=HYPERLINK(""http://x"",""y"")"', "'@SUM(A1)", "'-0.12", "'+3",
                     "'\t=1", "客户", '""']


# ---------------------------------------------------------------- login and roles

def _users() -> dict:
    return {"access": {"users": {"wang": {"password": auth.hash_password("editor-pw"),
                                          "role": "editor"},
                                 "li": {"password": auth.hash_password("viewer-pw"),
                                        "role": "viewer"}}}}


def _log_in(at: AppTest, user: str, password: str) -> AppTest:
    at.text_input(key="auth_form_user").input(user)
    at.text_input(key="auth_form_password").input(password)
    at.button[0].click()  # the form's submit button
    at.run()
    return at


def test_nothing_shows_before_a_login_not_even_a_page_run_first():
    at = _app(secrets=_users())
    assert [e.value for e in at.title] == [t("login_title", "en")]
    assert not at.metric and not at.dataframe
    page = AppTest.from_file(str(ROOT / "ui/pages/9_store.py"), default_timeout=TIMEOUT)
    page.secrets["access"] = _users()["access"]
    page.run()
    assert [e.value for e in page.title] == [t("login_title", "zh")]
    assert not page.dataframe
    assert not [b for b in page.button if b.key in ("store_save", "store_open")]


def test_a_wrong_password_and_an_unknown_user_are_refused_then_locked():
    at = _app(secrets=_users())
    _log_in(at, "wang", "wrong")
    assert [e.value for e in at.error] == [t("login_failed", "en")]
    _log_in(at, "nobody", "editor-pw")
    assert [e.value for e in at.error] == [t("login_failed", "en")]
    for _ in range(auth.FAILURES_BEFORE_LOCK):
        _log_in(at, "li", "nope")
    _log_in(at, "li", "viewer-pw")  # locked now, even with the right password
    assert "Too many failed attempts" in at.error[0].value
    auth._failures.clear()


def test_a_viewer_sees_the_analysis_but_cannot_upload_save_or_delete(private_store):
    from surveys.store import Store

    Store().add_study(SAMPLE / "study.yaml")
    at = _log_in(_app(secrets=_users()), "li", "viewer-pw")
    assert not at.exception and at.metric  # the dashboard
    assert any("li" in c.value and t("role_name_viewer", "en") in c.value for c in at.sidebar.caption)
    at.switch_page("ui/pages/1_study.py")
    at.run()
    assert not at.get("file_uploader") and t("viewer_cannot_upload", "en") in [i.value for i in at.info]
    at.switch_page("ui/pages/9_store.py")
    at.run()
    keys = {b.key for b in at.button}
    assert "store_open" in keys and not keys & {"store_save", "store_delete"}
    at.button(key="store_open").click()
    at.run()
    assert at.session_state[S.SOURCE] is not None  # a viewer may open a stored study
    at.button(key="auth_logout").click()
    at.run()
    assert [e.value for e in at.title] == [t("login_title", "en")]


def test_an_editor_may_upload_save_and_delete(private_store):
    from surveys.store import Store

    Store().add_study(SAMPLE / "study.yaml")
    at = _log_in(_app(secrets=_users()), "wang", "editor-pw")
    at.switch_page("ui/pages/1_study.py")
    at.run()
    assert at.get("file_uploader")
    at.switch_page("ui/pages/9_store.py")
    at.run()
    assert {"store_save", "store_open", "store_delete"} <= {b.key for b in at.button}
    assert not at.exception


def test_an_openid_provider_gives_a_login_button_and_roles_by_email(monkeypatch):
    at = _app(secrets={"auth": {"redirect_uri": "http://localhost:8501/oauth2callback",
                                "cookie_secret": "x" * 32, "client_id": "id",
                                "client_secret": "secret",
                                "server_metadata_url": "https://login.example/.well-known/"
                                                       "openid-configuration"}})
    assert [b.key for b in at.button] == ["auth_oidc"] and not at.text_input
    monkeypatch.setattr(auth, "_access", lambda: {"emails": {"Wang@Example.com": "editor"}})
    assert auth._oidc_role("wang@example.com") == "editor"
    assert auth._oidc_role("someone@example.com") is None  # not listed, no default: refused
    monkeypatch.setattr(auth, "_access", lambda: {"default_role": "viewer"})
    assert auth._oidc_role("someone@example.com") == "viewer"


def test_contact_columns_and_the_theme_editor_follow_the_role():
    """The Customer list's contact columns (``ui.customers.contacts_visible``) and the Comments
    page's theme editor are for editors; without a login everyone is one."""
    contacts = {"Organisation", "Contact person", "Phone"}
    for user, password, editor in (("li", "viewer-pw", False), ("wang", "editor-pw", True)):
        at = _log_in(_app(secrets=_users()), user, password)
        at.switch_page("ui/pages/0_customers.py")
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        columns = set(at.dataframe[0].value.columns)
        assert (contacts <= columns) if editor else not (contacts & columns)
        assert (t("cust_contacts_hidden", "en") in [c.value for c in at.caption]) != editor
        at.switch_page("ui/pages/10_comments.py")
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.button(key="comments_save").disabled != editor
        assert all(b.disabled != editor for b in at.button if b.key.startswith("comments_add_"))
    open_app = _app("ui/pages/0_customers.py")
    assert contacts <= set(open_app.dataframe[0].value.columns)


def test_without_a_login_configured_everyone_is_an_editor():
    at = _app("ui/pages/9_store.py")
    assert "store_save" in {b.key for b in at.button} and not at.exception


def test_password_hashes():
    stored = auth.hash_password("秘密 password")
    assert stored.startswith("scrypt$16384$8$1$") and len(stored.split("$")) == 6
    assert auth.verify_password("秘密 password", stored)
    assert not auth.verify_password("秘密 passwort", stored)
    assert auth.hash_password("x") != auth.hash_password("x")  # salted
    for bad in ("", "plain", "scrypt$16384$8$1$zz$00", "scrypt$1099511627776$8$1$00$00",
                "md5$1$1$1$00$00"):
        assert not auth.verify_password("x", bad)


def test_the_hash_command():
    done = subprocess.run([sys.executable, "-m", "ui.auth", "hash"], input="s3cret\n",
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    line = done.stdout.strip()
    assert line.startswith('password = "scrypt$') and line.endswith('"')
    assert auth.verify_password("s3cret", line.split('"')[1])


# ---------------------------------------------------------------- temporary folders

def test_temporary_folders_per_session_and_their_cleanup(tmp_path, monkeypatch):
    monkeypatch.setattr(workspace.tempfile, "gettempdir", lambda: str(tmp_path))
    upload = workspace.upload_folder()
    assert upload == tmp_path / f"crm-app-{os.getpid()}" / "no-session" / "upload"
    first, second = workspace.new_folder("stored-1"), workspace.new_folder("stored-1")
    assert first != second and first.parent == upload.parent
    workspace.release(first)
    workspace.release(upload)  # the upload folder stays for the session
    workspace.release(SAMPLE)  # anything else is never touched
    assert not first.exists() and second.exists() and upload.exists() and SAMPLE.exists()

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / f"crm-app-{dead.pid}" / "session" / "upload").mkdir(parents=True)
    (tmp_path / "crm-app-1").mkdir()  # pid 1 is running: kept
    old, new = tmp_path / "crm_upload_old", tmp_path / "crm-stored-3-new"
    old.mkdir(), new.mkdir()
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    monkeypatch.setattr(workspace, "_state", {"started": False, "last_sweep": 0.0})
    workspace.sweep()
    assert not (tmp_path / f"crm-app-{dead.pid}").exists() and not old.exists()
    assert (tmp_path / "crm-app-1").exists() and new.exists() and second.exists()


# ---------------------------------------------------------------- the shipped configuration

def test_streamlit_configuration():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["toolbarMode"] == "viewer"
    assert config["client"]["disableDataExport"] is True
    assert config["server"]["enableXsrfProtection"] is True
    size = config["server"]["maxUploadSize"]
    from surveys.limits import LIMITS

    assert size == LIMITS["file_mb"].default
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"`server.maxUploadSize = {size}`" in readme
    assert ".streamlit/secrets.toml" in (ROOT / ".gitignore").read_text()
