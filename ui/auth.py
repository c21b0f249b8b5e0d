"""Who may use the app, and as what: a login in front of every page, with two roles.

- **viewer**: the dashboard and the analysis pages, the reports, opening a stored study;
- **editor**: also uploading files, saving studies to the store and deleting them (and, where a
  page offers them, contact columns of respondents).

How people log in is set in ``.streamlit/secrets.toml`` (README "Access"):

- an **OpenID Connect provider** (Streamlit's ``st.login``): an ``[auth]`` section as Streamlit
  documents it; ``[access.emails]`` gives each e-mail address its role, and ``access.default_role``
  the role of anyone else the provider lets in (unset: they are refused);
- otherwise **users with hashed passwords**: ``[access.users.NAME]`` with ``password`` (a hash
  made by ``python -m ui.auth hash``) and ``role``;
- neither: no login, everyone is an editor (the app on one's own computer).

Passwords are hashed with scrypt (:func:`hashlib.scrypt`, RFC 7914; n = 2**14, r = 8, p = 1,
a 16-byte random salt, a 32-byte key, as OWASP's password-storage guidance recommends) and
compared in constant time; a user name that does not exist costs the same time as a wrong
password, and five failures in a row lock that name for a minute (in this server process).
A password login lasts as long as the browser tab's session; an OpenID login is kept in
Streamlit's signed cookie.

Pages ask :func:`current_role`, :func:`is_editor` or :func:`current_user`; every page calls
:func:`require_login` through ``ui.setup.init_state``, so that no page shows anything before a
login, even when it runs first.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import os
import sys
import threading
import time

from ui import state as S

__all__ = ["ROLES", "hash_password", "verify_password", "mode", "current_user", "current_role",
           "is_editor", "require_login", "sidebar_account"]

ROLES = ("viewer", "editor")
SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}
#: bounds on the cost parameters read from a stored hash (64 MiB of memory at most)
MAX_N, MAX_R, MAX_P = 2 ** 17, 16, 4
FAILURES_BEFORE_LOCK, LOCK_SECONDS = 5, 60.0

_failures: dict[str, tuple[int, float]] = {}  # user -> (failures in a row, locked until)
_failures_lock = threading.Lock()


# ---------------------------------------------------------------- passwords

def hash_password(password: str, salt: bytes | None = None) -> str:
    """``scrypt$n$r$p$salt$key`` (hex) of ``password``, for ``secrets.toml``."""
    salt = os.urandom(16) if salt is None else salt
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, maxmem=2 ** 26, **SCRYPT)
    return f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}${salt.hex()}${key.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a hash made by :func:`hash_password` (False for a malformed
    hash or cost parameters beyond the bounds)."""
    try:
        scheme, n, r, p, salt, key = str(stored).split("$")
        n, r, p, salt, key = int(n), int(r), int(p), bytes.fromhex(salt), bytes.fromhex(key)
    except ValueError:
        return False
    if scheme != "scrypt" or not (1 < n <= MAX_N and 0 < r <= MAX_R and 0 < p <= MAX_P) or not key:
        return False
    try:
        found = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                               dklen=len(key), maxmem=2 ** 27)
    except ValueError:
        return False
    return hmac.compare_digest(found, key)


@functools.cache
def _dummy() -> str:
    """The hash checked for unknown users (the same time as a real one); made on first use, not
    on import (scrypt, ~0.2 s of every app start)."""
    return hash_password("", salt=b"\0" * 16)


# ---------------------------------------------------------------- configuration

def _access() -> dict:
    import streamlit as st

    try:
        return dict(st.secrets.get("access", {}))
    except FileNotFoundError:  # no secrets.toml at all
        return {}


def _has_oidc() -> bool:
    import streamlit as st

    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False


def mode() -> str:
    """``"oidc"`` (st.login), ``"password"`` (users in secrets.toml) or ``"open"`` (no login)."""
    if _has_oidc():
        return "oidc"
    return "password" if _access().get("users") else "open"


def _logged_in_at_provider() -> bool:
    """Whether st.user holds an OpenID login (``is_logged_in`` is missing where Streamlit has no
    user information at all, as under AppTest)."""
    import streamlit as st

    try:
        return bool(st.user.is_logged_in)
    except AttributeError:
        return False


def _oidc_role(email: str | None) -> str | None:
    access = _access()
    emails = {str(k).strip().lower(): v for k, v in dict(access.get("emails", {})).items()}
    role = emails.get((email or "").strip().lower(), access.get("default_role"))
    return role if role in ROLES else None


# ---------------------------------------------------------------- who is logged in

def current_user() -> str | None:
    """The logged-in user's name (password login) or e-mail (OpenID); None when nobody is
    logged in or the app is open."""
    import streamlit as st

    kind = mode()
    if kind == "oidc":
        return st.user.get("email") if _logged_in_at_provider() else None
    if kind == "password":
        return st.session_state.get(S.AUTH_USER)
    return None


def current_role() -> str | None:
    """``"viewer"``, ``"editor"``, or None when nobody (allowed) is logged in. Without a login
    configured, everyone is an editor."""
    import streamlit as st

    kind = mode()
    if kind == "open":
        return "editor"
    if kind == "oidc":
        return _oidc_role(st.user.get("email")) if _logged_in_at_provider() else None
    user = st.session_state.get(S.AUTH_USER)
    users = dict(_access().get("users", {}))
    if user is None or user not in users:  # logged out, or removed from secrets.toml since
        return None
    role = dict(users[user]).get("role")
    return role if role in ROLES else None


def is_editor() -> bool:
    """Whether the current user may upload, save and delete (and see contact columns)."""
    return current_role() == "editor"


def _check_password(user: str, password: str) -> str | None:
    """The user's role when ``password`` is right, else None; raises TimeoutError while the
    name is locked after repeated failures."""
    with _failures_lock:
        failures, until = _failures.get(user, (0, 0.0))
        if until > time.monotonic():
            raise TimeoutError(until - time.monotonic())
    entry = dict(dict(_access().get("users", {})).get(user) or {})
    ok = verify_password(password, entry.get("password") or _dummy()) and "password" in entry
    role = entry.get("role") if ok and entry.get("role") in ROLES else None
    with _failures_lock:
        if len(_failures) > 10_000:  # many names tried: forget them rather than grow
            _failures.clear()
        if role is None:
            failures += 1
            locked = time.monotonic() + LOCK_SECONDS if failures >= FAILURES_BEFORE_LOCK else 0.0
            _failures[user] = (0 if locked else failures, locked)
        else:
            _failures.pop(user, None)
    return role


# ---------------------------------------------------------------- pages

def require_login() -> None:
    """Show the login form and stop the page unless someone allowed is logged in (or the app is
    open). Called first by every page."""
    import streamlit as st

    if current_role() is not None:
        return
    from ui.setup import escape_markdown, tr

    st.title(tr("login_title"))
    if mode() == "oidc":
        if _logged_in_at_provider():  # logged in at the provider, but not allowed here
            st.error(tr("login_not_allowed", user=escape_markdown(st.user.get("email") or "?")))
            st.button(tr("logout"), on_click=st.logout, key="auth_logout_refused")
        else:
            st.caption(tr("login_oidc_caption"))
            provider = _access().get("provider")
            st.button(tr("login_oidc"), type="primary", key="auth_oidc",
                      on_click=st.login, args=(provider,) if provider else ())
        st.stop()
    st.caption(tr("login_caption"))
    with st.form("auth_login"):
        user = st.text_input(tr("login_user"), key="auth_form_user")
        password = st.text_input(tr("login_password"), type="password", key="auth_form_password")
        submitted = st.form_submit_button(tr("login_submit"), type="primary")
    if submitted:
        try:
            role = _check_password(user.strip(), password)
        except TimeoutError as wait:
            st.error(tr("login_locked", seconds=f"{wait.args[0]:.0f}"))
            st.stop()
        if role is None:
            st.error(tr("login_failed"))
        else:
            st.session_state[S.AUTH_USER] = user.strip()
            st.rerun()
    st.stop()


def _logout_password() -> None:
    import streamlit as st

    st.session_state[S.AUTH_USER] = None


def sidebar_account() -> None:
    """Who is logged in, with which role, and a log-out button (nothing when the app is open)."""
    import streamlit as st
    from ui.setup import escape_markdown, tr

    kind = mode()
    if kind == "open" or current_role() is None:
        return
    with st.sidebar:
        st.caption(tr("logged_in_as", user=escape_markdown(current_user() or "?"),
                      role=tr(f"role_name_{current_role()}")))
        st.button(tr("logout"), key="auth_logout",
                  on_click=st.logout if kind == "oidc" else _logout_password)


def _main(argv: list[str]) -> int:
    """``python -m ui.auth hash``: ask for a password (twice) and print its line for
    secrets.toml; with input from a pipe, hash the first line."""
    if argv[:1] != ["hash"]:
        print("usage: python -m ui.auth hash", file=sys.stderr)
        return 2
    if sys.stdin.isatty():
        import getpass

        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            print("error: the two passwords differ", file=sys.stderr)
            return 2
    else:
        password = sys.stdin.readline().rstrip("\n")
    if not password:
        print("error: an empty password", file=sys.stderr)
        return 2
    print(f'password = "{hash_password(password)}"')
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
