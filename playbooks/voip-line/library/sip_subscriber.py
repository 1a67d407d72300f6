#!/usr/bin/python3
# -*- coding: utf-8 -*-
# Provisio demo: manage one subscriber of the lab's Kamailio SIP registrar (auth_db on SQLite).

DOCUMENTATION = r"""
module: sip_subscriber
short_description: A subscriber of a Kamailio registrar (auth_db subscriber table in SQLite)
options:
  db: {type: path, required: true, description: The registrar's SQLite database (absolute path).}
  ctl: {type: path, description: "Kamailio's binrpc control socket; with it, state=absent also drops the user's registrations."}
  domain: {type: str, required: true}
  username: {type: str, required: true, description: "The SIP user: the number's digits, without '+'."}
  password: {type: str, description: "SECRET: the digest password (required to create)."}
  caller_name: {type: str, description: Returned by the registrar as X-Caller-Name.}
  state: {type: str, choices: [present, absent], default: present}
notes:
  - Supports check mode and diff. The password never appears in the result or the diff; the
    diff says only whether it changes.
  - One BEGIN IMMEDIATE transaction with a 30 s busy timeout: Kamailio reads the row on every
    REGISTER (the database is in WAL mode, so its reads go on), and provisions of other lines
    may write at the same time.
  - Deleting the row does not end the user's existing registrations (Kamailio keeps them in
    memory until they expire), so state=absent also removes them through the control socket
    (kamcmd ul.rm), when ctl is given.
"""

import os
import re
import sqlite3
import subprocess

from ansible.module_utils.basic import AnsibleModule

BUSY_TIMEOUT_S = 30
_USER_RE = re.compile(r"^[0-9]{1,15}$")
_DOMAIN_RE = re.compile(r"^[A-Za-z0-9.-]{1,64}$")


def public_view(row, username, domain):
    """What the result and the diff may show of a subscriber: no password."""
    if row is None:
        return {"exists": False, "username": username, "domain": domain}
    return {"exists": True, "username": username, "domain": domain, "caller_name": row["caller_name"]}


def kamcmd(ctl, *args):
    """kamcmd exits 0 even when the command failed: its output says ('error: <code> - <text>')."""
    result = subprocess.run(["kamcmd", "-s", "unix:" + ctl] + list(args), capture_output=True, text=True, timeout=10)
    output = (result.stdout + result.stderr).strip()
    if result.returncode != 0 or output.startswith("ERROR"):
        raise RuntimeError("kamcmd %s: %s" % (" ".join(args), output or "exit %d" % result.returncode))
    return output


def has_registrations(ctl, aor):
    output = kamcmd(ctl, "ul.lookup", "location", aor)
    if "AOR not found" in output:
        return False
    if output.startswith("error:"):
        raise RuntimeError("kamcmd ul.lookup %s: %s" % (aor, output))
    return True


def drop_registrations(ctl, aor):
    output = kamcmd(ctl, "ul.rm", "location", aor)
    if output.startswith("error:") and "AOR not found" not in output:
        raise RuntimeError("kamcmd ul.rm %s: %s" % (aor, output))


def plan(row, p, check_mode):
    """The columns to write (None: delete the row), and whether the password changes."""
    if p["state"] == "absent":
        return (None if row is not None else {}), False
    if row is None:
        # In check mode without a password: a read (to put things back later), which may find no row.
        if not p["password"] and not check_mode:
            raise RuntimeError("a new subscriber needs a password")
        return {"password": p["password"] or "", "caller_name": p["caller_name"] or ""}, True
    changes = {}
    if p["password"] is not None and p["password"] != row["password"]:
        changes["password"] = p["password"]
    if p["caller_name"] is not None and p["caller_name"] != row["caller_name"]:
        changes["caller_name"] = p["caller_name"]
    return changes, "password" in changes


def apply(db, p, check_mode):
    """Reads and converges the row in one transaction; returns (changed, before_row, changes, password_changed)."""
    connection = sqlite3.connect(db, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    connection.row_factory = sqlite3.Row
    try:
        connection.execute("PRAGMA busy_timeout = %d" % (BUSY_TIMEOUT_S * 1000))
        # IMMEDIATE: the write lock first, so the row read is the row changed.
        connection.execute("BEGIN" if check_mode else "BEGIN IMMEDIATE")
        try:
            row = connection.execute(
                "SELECT username, domain, password, caller_name FROM subscriber WHERE username = ? AND domain = ?",
                (p["username"], p["domain"])).fetchone()
            row = dict(row) if row is not None else None
            changes, password_changed = plan(row, p, check_mode)
            if changes is None and not check_mode:
                connection.execute("DELETE FROM subscriber WHERE username = ? AND domain = ?", (p["username"], p["domain"]))
            elif changes and row is None and not check_mode:
                connection.execute(
                    "INSERT INTO subscriber (username, domain, password, caller_name) VALUES (?, ?, ?, ?)",
                    (p["username"], p["domain"], changes["password"], changes["caller_name"]))
            elif changes and not check_mode:
                columns = sorted(changes)
                connection.execute(
                    "UPDATE subscriber SET %s WHERE username = ? AND domain = ?" % ", ".join("%s = ?" % c for c in columns),
                    [changes[c] for c in columns] + [p["username"], p["domain"]])
            connection.execute("ROLLBACK" if check_mode else "COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
    finally:
        connection.close()
    return changes is None or bool(changes), row, changes, password_changed


def main():
    module = AnsibleModule(
        argument_spec=dict(
            db=dict(type="path", required=True),
            ctl=dict(type="path"),
            domain=dict(type="str", required=True),
            username=dict(type="str", required=True),
            password=dict(type="str", no_log=True),
            caller_name=dict(type="str"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    if not _USER_RE.match(p["username"]) or not _DOMAIN_RE.match(p["domain"]):
        module.fail_json(msg="invalid SIP user %r or domain %r" % (p["username"], p["domain"]))
    if not os.path.isfile(p["db"]):
        module.fail_json(msg="no registrar database at %s" % p["db"])
    aor = "%s@%s" % (p["username"], p["domain"])
    try:
        changed, row, changes, password_changed = apply(p["db"], p, module.check_mode)
        registrations = False
        if p["state"] == "absent" and p["ctl"]:
            registrations = has_registrations(p["ctl"], aor)
            if registrations and not module.check_mode:
                drop_registrations(p["ctl"], aor)
    except (sqlite3.Error, RuntimeError, OSError, subprocess.SubprocessError) as error:
        module.fail_json(msg="SIP registrar %s: %s" % (p["db"], error))
    before = public_view(row, p["username"], p["domain"])
    if changes is None:
        after = public_view(None, p["username"], p["domain"])
    else:
        after = dict(before, exists=True, **{k: v for k, v in changes.items() if k != "password"})
    if password_changed:
        # Only that it changes: not even a digest of it.
        before["password"] = "(set)" if row is not None else "(none)"
        after = dict(after, password="(changed)")
    module.exit_json(
        changed=changed or registrations,
        registrations_dropped=registrations,
        before=public_view(row, p["username"], p["domain"]),
        subscriber=after,
        diff={"before": before, "after": after},
    )


if __name__ == "__main__":
    main()
