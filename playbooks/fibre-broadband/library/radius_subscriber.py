#!/usr/bin/python3
# -*- coding: utf-8 -*-
# Provisio demo: one subscriber of a real FreeRADIUS (the lab's), as rows of its rlm_sql sqlite
# database. The daemon reads them on every request: no reload, the next Access-Request sees them.

DOCUMENTATION = r"""
module: radius_subscriber
short_description: A FreeRADIUS subscriber (radcheck password, radreply attributes) in rlm_sql's sqlite database
options:
  db: {type: path, required: true, description: The sqlite database FreeRADIUS's sql module reads. It must exist.}
  username: {type: str, required: true}
  password:
    type: str
    description: "SECRET: the Cleartext-Password (PAP). With state=present, this or mac_auth."
  mac_auth:
    type: bool
    default: false
    description: >-
      MAC authentication, as an ONT does: the password is the username (its MAC, which is no
      secret). Set instead of password, so that Ansible's masking of a no_log value does not
      hide the username everywhere in the result.
  reply:
    type: dict
    default: {}
    description: >-
      The reply attributes, all of them (rows not listed are removed): attribute -> value
      (operator :=), or a list of values (a multi-valued attribute such as Framed-Route,
      operator +=).
  state: {type: str, choices: [present, absent], default: present}
  busy_timeout_ms: {type: int, default: 10000, description: How long to wait on another writer's lock.}
notes:
  - One transaction (BEGIN IMMEDIATE) reads and writes, so the comparison and the change see the
    same rows; the daemon's reads never wait on it (the database is in WAL mode).
  - Supports check mode and diff. The password never appears in a result or a diff; the diff
    says only whether it changes. C(before) and C(subscriber) have the reply attributes in the
    form C(reply) takes, so a rescue can put back what it read.
"""

import sqlite3

from ansible.module_utils.basic import AnsibleModule

PASSWORD_ATTRIBUTE = "Cleartext-Password"
SINGLE_OP = ":="
MULTI_OP = "+="


def wanted_rows(params):
    """(check rows, reply rows) as (attribute, op, value), each sorted."""
    if params["state"] == "absent":
        return [], []
    reply = []
    for attribute, value in params["reply"].items():
        if isinstance(value, list):
            reply += [(attribute, MULTI_OP, str(item)) for item in value]
        else:
            reply.append((attribute, SINGLE_OP, str(value)))
    password = params["username"] if params["mac_auth"] else params["password"]
    return [(PASSWORD_ATTRIBUTE, SINGLE_OP, password)], sorted(reply)


def read_rows(cursor, table, username):
    # The table name is one of two constants, never input.
    cursor.execute("SELECT attribute, op, value FROM %s WHERE username = ? ORDER BY id" % table, (username,))
    return sorted(tuple(row) for row in cursor.fetchall())


def reply_dict(rows):
    """Reply rows in the form the `reply` option takes."""
    out = {}
    for attribute, op, value in rows:
        if op == MULTI_OP or attribute in out:
            previous = out.get(attribute, [])
            out[attribute] = (previous if isinstance(previous, list) else [previous]) + [value]
        else:
            out[attribute] = value
    return out


def public_view(check, reply):
    """What a result may show of a subscriber: no password."""
    if not check and not reply:
        return {"exists": False}
    return {"exists": True, "reply": reply_dict(reply)}


def render(check, reply):
    lines = ["check %s %s %s" % (a, op, "********" if a.endswith("-Password") else v) for a, op, v in check]
    lines += ["reply %s %s %s" % row for row in reply]
    return "".join(line + "\n" for line in lines)


def converge(module, params):
    """Reads the subscriber and, unless in check mode, writes the wanted rows; one transaction."""
    username = params["username"]
    want_check, want_reply = wanted_rows(params)
    try:
        # mode=rw: a wrong path fails instead of creating an empty database the daemon never reads.
        # isolation_level=None: the transaction below is ours (BEGIN IMMEDIATE takes the write lock first).
        connection = sqlite3.connect("file:%s?mode=rw" % params["db"], uri=True,
                                     timeout=params["busy_timeout_ms"] / 1000.0, isolation_level=None)
    except sqlite3.Error as error:
        module.fail_json(msg="cannot open the RADIUS database %s: %s" % (params["db"], error))
    try:
        cursor = connection.cursor()
        cursor.execute("BEGIN" if module.check_mode else "BEGIN IMMEDIATE")
        have_check = read_rows(cursor, "radcheck", username)
        have_reply = read_rows(cursor, "radreply", username)
        changed = (have_check, have_reply) != (sorted(want_check), want_reply)
        if changed and not module.check_mode:
            cursor.execute("DELETE FROM radcheck WHERE username = ?", (username,))
            cursor.execute("DELETE FROM radreply WHERE username = ?", (username,))
            cursor.executemany("INSERT INTO radcheck (username, attribute, op, value) VALUES (?, ?, ?, ?)",
                               [(username,) + row for row in want_check])
            cursor.executemany("INSERT INTO radreply (username, attribute, op, value) VALUES (?, ?, ?, ?)",
                               [(username,) + row for row in want_reply])
        cursor.execute("COMMIT")
    except sqlite3.Error as error:
        module.fail_json(msg="RADIUS database %s: %s" % (params["db"], error))
    finally:
        connection.close()
    return changed, (have_check, have_reply), (want_check, want_reply)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            db=dict(type="path", required=True),
            username=dict(type="str", required=True),
            password=dict(type="str", no_log=True),
            mac_auth=dict(type="bool", default=False),
            reply=dict(type="dict", default={}),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            busy_timeout_ms=dict(type="int", default=10000),
        ),
        supports_check_mode=True,
    )
    params = module.params
    if not params["username"]:
        module.fail_json(msg="username must not be empty")
    if params["state"] == "present" and (params["password"] is None) == (not params["mac_auth"]):
        module.fail_json(msg="state=present takes either password or mac_auth=true")
    changed, before, after = converge(module, params)
    header = "%s: %s" % (params["db"], params["username"])
    module.exit_json(
        changed=changed,
        username=params["username"],
        before=public_view(*before),
        subscriber=public_view(*after),
        diff={"before_header": header, "after_header": header, "before": render(*before), "after": render(*after)},
    )


if __name__ == "__main__":
    main()
