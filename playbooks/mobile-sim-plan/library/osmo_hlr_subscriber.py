#!/usr/bin/python3
# -*- coding: utf-8 -*-
# Provisio demo: manage one subscriber of a real osmo-hlr over its CTRL interface (the lab's HLR).
# The client below speaks Osmocom CTRL (IPA-framed text, verified against OsmoHLR 1.5.0).

DOCUMENTATION = r"""
module: osmo_hlr_subscriber
short_description: A subscriber of osmo-hlr (IMSI, MSISDN, 3G milenage keys, network access), over CTRL
options:
  ctrl_host: {type: str, required: true, description: Address of the HLR's CTRL interface.}
  ctrl_port: {type: int, default: 4259}
  imsi: {type: str, required: true}
  state: {type: str, choices: [present, absent], default: present}
  msisdn: {type: str, description: Digits without "+"; empty clears it.}
  k: {type: str, description: "SECRET: the SIM's K (32 hex digits), 3G milenage."}
  opc: {type: str, description: "SECRET: the SIM's OPc (32 hex digits)."}
  cs_enabled: {type: bool, description: Circuit-switched network access.}
  ps_enabled: {type: bool, description: Packet-switched network access.}
notes:
  - Supports check mode and diff. K and OPc never appear in the result or the diff; the diff
    says only whether they change. Setting the keys again resets the HLR's SQN, so they are
    sent only when they differ.
"""

from ansible.module_utils.basic import AnsibleModule

import re
import socket
import struct

IPA_PROTO_OSMO = 0xEE
IPA_EXT_CTRL = 0x00
IPA_PROTO_CCM = 0xFE          # IPA PING/PONG/ID (not used by osmo-hlr CTRL, handled anyway)
IPA_CCM_PING, IPA_CCM_PONG = 0x00, 0x01

DEFAULT_CTRL_PORT = 4259      # hard-wired in osmo-hlr 1.5.0 (only the address is configurable)

_IMSI_RE = re.compile(r"^[0-9]{6,15}$")
_MSISDN_RE = re.compile(r"^[0-9]{1,15}$")
_HEX128_RE = re.compile(r"^[0-9a-fA-F]{32}$")


class HlrCtrlError(Exception):
    """ERROR reply from osmo-hlr, or a protocol problem."""

    def __init__(self, message, var=None, reply=None):
        super().__init__(message)
        self.var = var
        self.reply = reply


class NoSuchSubscriber(HlrCtrlError):
    pass


class SubscriberExists(HlrCtrlError):
    pass


class CtrlConnectionError(HlrCtrlError):
    pass


_ERROR_CLASSES = {
    "No such subscriber.": NoSuchSubscriber,        # GET/SET on subscriber.by-*-X.*
    "Subscriber doesn't exist.": NoSuchSubscriber,  # SET subscriber.delete
    "Subscriber already exists.": SubscriberExists, # SET subscriber.create
}


def _check(regex, value, what):
    value = str(value)
    if not regex.match(value):
        raise ValueError("invalid %s: %r" % (what, value))
    return value


class HlrCtrl(object):
    """One TCP connection to the osmo-hlr CTRL interface.

    with HlrCtrl("127.0.42.1") as hlr:
        hlr.create_subscriber("001010000000001")
    """

    def __init__(self, host="127.0.0.1", port=DEFAULT_CTRL_PORT, timeout=5.0):
        self.host, self.port, self.timeout = host, port, timeout
        self._sock = None
        self._next_id = 1

    # ------------------------------------------------------------ transport
    def connect(self):
        if self._sock is None:
            try:
                self._sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
            except OSError as e:
                raise CtrlConnectionError("cannot connect to osmo-hlr CTRL %s:%s: %s"
                                          % (self.host, self.port, e))
            self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return self

    def close(self):
        if self._sock is not None:
            try:
                self._sock.close()
            finally:
                self._sock = None

    def __enter__(self):
        return self.connect()

    def __exit__(self, *exc):
        self.close()

    def _recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            try:
                chunk = self._sock.recv(n - len(buf))
            except socket.timeout:
                raise CtrlConnectionError("timeout waiting for osmo-hlr CTRL reply")
            if not chunk:
                raise CtrlConnectionError("osmo-hlr closed the CTRL connection")
            buf += chunk
        return buf

    def _send_frame(self, proto, body):
        self._sock.sendall(struct.pack(">HB", len(body), proto) + body)

    def _recv_ctrl_text(self):
        """Return the next CTRL text message, answering IPA PINGs on the way."""
        while True:
            length, proto = struct.unpack(">HB", self._recv_exact(3))
            body = self._recv_exact(length)
            if proto == IPA_PROTO_CCM:
                if body[:1] == bytes([IPA_CCM_PING]):
                    self._send_frame(IPA_PROTO_CCM, bytes([IPA_CCM_PONG]))
                continue
            if proto != IPA_PROTO_OSMO or body[:1] != bytes([IPA_EXT_CTRL]):
                continue                     # not CTRL: ignore
            return body[1:].decode("utf-8", "replace")

    def _transact(self, verb, var, value=None):
        self.connect()
        cid = self._next_id
        self._next_id = cid % 1000000 + 1
        text = "%s %d %s" % (verb, cid, var)
        if value is not None:
            text += " " + str(value)
        body = bytes([IPA_EXT_CTRL]) + text.encode("ascii")
        if len(body) > 0xFFFF:
            raise ValueError("CTRL message too long")
        try:
            self._send_frame(IPA_PROTO_OSMO, body)
            while True:
                reply = self._recv_ctrl_text()
                kind, _, rest = reply.partition(" ")
                rid, _, rest = rest.partition(" ")
                if kind == "TRAP" or rid != str(cid):
                    continue                 # unsolicited / stale message
                break
        except (OSError, CtrlConnectionError) as e:
            self.close()
            if isinstance(e, CtrlConnectionError):
                raise
            raise CtrlConnectionError("CTRL I/O error: %s" % e)
        if kind == "ERROR":
            raise _ERROR_CLASSES.get(rest, HlrCtrlError)(
                "%s %s: %s" % (verb, var, rest), var=var, reply=reply)
        if kind != verb + "_REPLY":
            raise HlrCtrlError("unexpected CTRL reply: %r" % reply, var=var, reply=reply)
        rvar, _, rvalue = rest.partition(" ")
        if rvar != var:
            raise HlrCtrlError("CTRL reply for wrong variable: %r" % reply, var=var, reply=reply)
        return rvalue

    def get(self, var):
        return self._transact("GET", var)

    def set(self, var, value):
        return self._transact("SET", var, value)

    # ------------------------------------------------------------ subscriber API
    @staticmethod
    def _sel(imsi):
        return "subscriber.by-imsi-%s" % _check(_IMSI_RE, imsi, "IMSI")

    @staticmethod
    def _parse_table(text):
        out = {}
        for line in text.split("\n"):
            if "\t" in line:
                k, v = line.split("\t", 1)
                out[k] = v
        return out

    def get_subscriber(self, imsi):
        """Full state as dict, or None if the IMSI is unknown.

        {'id': 1, 'imsi': '...', 'msisdn': '...' or None, 'cs_enabled': True,
         'ps_enabled': True, 'aud3g': None | {'algo': 'milenage', 'k': hex,
         'opc': hex or absent, 'op': hex or absent, 'ind_bitlen': 5, 'sqn': 0},
         'aud2g': None | {'algo': 'comp128v1', 'ki': hex}, 'raw': {...}}
        """
        try:
            raw = self._parse_table(self.get(self._sel(imsi) + ".info-all"))
        except NoSuchSubscriber:
            return None
        sub = {
            "id": int(raw["id"]),
            "imsi": raw["imsi"],
            "msisdn": raw.get("msisdn"),          # key absent when no MSISDN
            "cs_enabled": raw.get("nam_cs") == "1",
            "ps_enabled": raw.get("nam_ps") == "1",
            "aud2g": None,
            "aud3g": None,
            "raw": raw,
        }
        if "aud2g.algo" in raw:
            sub["aud2g"] = {"algo": raw["aud2g.algo"].lower(), "ki": raw.get("aud2g.ki", "").lower()}
        if "aud3g.algo" in raw:
            a = {"algo": raw["aud3g.algo"].lower(), "k": raw.get("aud3g.k", "").lower()}
            for key in ("opc", "op"):
                if "aud3g." + key in raw:
                    a[key] = raw["aud3g." + key].lower()
            if "aud3g.ind_bitlen" in raw:
                a["ind_bitlen"] = int(raw["aud3g.ind_bitlen"])
            if "aud3g.sqn" in raw:
                a["sqn"] = int(raw["aud3g.sqn"])
            sub["aud3g"] = a
        return sub

    def create_subscriber(self, imsi):
        """Create; returns the new numeric id. Raises SubscriberExists."""
        _check(_IMSI_RE, imsi, "IMSI")
        return int(self.set("subscriber.create", imsi))

    def delete_subscriber(self, imsi):
        """Delete; returns the deleted id. Raises NoSuchSubscriber."""
        _check(_IMSI_RE, imsi, "IMSI")
        return int(self.set("subscriber.delete", imsi))

    def set_msisdn(self, imsi, msisdn):
        """msisdn=None clears it. A MSISDN used by another subscriber gives
        HlrCtrlError('... Update MSISDN failed')."""
        value = "none" if msisdn in (None, "") else _check(_MSISDN_RE, msisdn, "MSISDN")
        self.set(self._sel(imsi) + ".msisdn", value)

    def set_aud3g_milenage(self, imsi, k, opc=None, op=None, ind_bitlen=None):
        """NOTE: every SET of aud3g rewrites the row and resets SQN to 0,
        even with identical values -> compare first (see ensure_subscriber)."""
        if (opc is None) == (op is None):
            raise ValueError("exactly one of opc / op is required")
        kind, val = ("opc", opc) if opc is not None else ("op", op)
        value = "milenage,%s,%s,%s" % (_check(_HEX128_RE, k, "K").lower(), kind,
                                       _check(_HEX128_RE, val, kind.upper()).lower())
        if ind_bitlen is not None:
            value += ",%d" % int(ind_bitlen)
        self.set(self._sel(imsi) + ".aud3g", value)

    def clear_aud3g(self, imsi):
        self.set(self._sel(imsi) + ".aud3g", "none")

    def set_aud2g(self, imsi, algo, ki):
        """algo: comp128v1|comp128v2|comp128v3|xor; algo=None clears."""
        value = "none" if algo is None else "%s,%s" % (algo, _check(_HEX128_RE, ki, "KI").lower())
        self.set(self._sel(imsi) + ".aud2g", value)

    def set_cs_enabled(self, imsi, enabled):
        self.set(self._sel(imsi) + ".cs-enabled", "1" if enabled else "0")

    def set_ps_enabled(self, imsi, enabled):
        self.set(self._sel(imsi) + ".ps-enabled", "1" if enabled else "0")

    # ------------------------------------------------------------ idempotent helper (Provisio)
    def ensure_subscriber(self, imsi, state="present", msisdn=Ellipsis, k=None, opc=None,
                          op=None, ind_bitlen=None, cs_enabled=None, ps_enabled=None,
                          check_mode=False):
        """Converge one subscriber. Arguments left at None/Ellipsis are not managed
        (msisdn=None means 'no MSISDN'). Returns (changed, before, after, actions)."""
        before = self.get_subscriber(imsi)
        actions = []
        if state == "absent":
            if before is not None:
                actions.append(("delete", None))
        elif state == "present":
            if before is None:
                actions.append(("create", None))
            cur = before or {"msisdn": None, "cs_enabled": True, "ps_enabled": True, "aud3g": None}
            if msisdn is not Ellipsis and (msisdn or None) != cur["msisdn"]:
                actions.append(("msisdn", msisdn or None))
            if k is not None:
                want = {"algo": "milenage", "k": k.lower()}
                if opc is not None:
                    want["opc"] = opc.lower()
                if op is not None:
                    want["op"] = op.lower()
                have = dict(cur["aud3g"] or {})
                have_ind = have.pop("ind_bitlen", None)
                have.pop("sqn", None)
                if have != want or (ind_bitlen is not None and ind_bitlen != have_ind):
                    actions.append(("aud3g", (k, opc, op, ind_bitlen)))
            if cs_enabled is not None and bool(cs_enabled) != cur["cs_enabled"]:
                actions.append(("cs", bool(cs_enabled)))
            if ps_enabled is not None and bool(ps_enabled) != cur["ps_enabled"]:
                actions.append(("ps", bool(ps_enabled)))
        else:
            raise ValueError("state must be present or absent")

        if check_mode or not actions:
            return bool(actions), before, before, actions
        for what, arg in actions:
            if what == "delete":
                self.delete_subscriber(imsi)
            elif what == "create":
                self.create_subscriber(imsi)
            elif what == "msisdn":
                self.set_msisdn(imsi, arg)
            elif what == "aud3g":
                self.set_aud3g_milenage(imsi, arg[0], opc=arg[1], op=arg[2], ind_bitlen=arg[3])
            elif what == "cs":
                self.set_cs_enabled(imsi, arg)
            elif what == "ps":
                self.set_ps_enabled(imsi, arg)
        return True, before, self.get_subscriber(imsi), actions


def public_view(sub):
    """What the result and the diff may show of a subscriber: no key material."""
    if sub is None:
        return {"exists": False}
    return {
        "exists": True,
        "imsi": sub["imsi"],
        "msisdn": sub["msisdn"],
        "cs_enabled": sub["cs_enabled"],
        "ps_enabled": sub["ps_enabled"],
        "aud3g": (sub["aud3g"] or {}).get("algo"),
    }


def predicted_view(before, imsi, actions):
    """The subscriber as the planned actions would leave it (check mode), as public_view shows it."""
    view = public_view(before) if before else {
        "exists": True, "imsi": imsi, "msisdn": None, "cs_enabled": True, "ps_enabled": True, "aud3g": None}
    for what, arg in actions:
        if what == "delete":
            return {"exists": False}
        if what == "msisdn":
            view["msisdn"] = arg
        elif what == "aud3g":
            view["aud3g"] = "milenage"
        elif what in ("cs", "ps"):
            view[what + "_enabled"] = arg
    return view


def main():
    module = AnsibleModule(
        argument_spec=dict(
            ctrl_host=dict(type="str", required=True),
            ctrl_port=dict(type="int", default=DEFAULT_CTRL_PORT),
            imsi=dict(type="str", required=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            msisdn=dict(type="str"),
            k=dict(type="str", no_log=True),
            opc=dict(type="str", no_log=True),
            cs_enabled=dict(type="bool"),
            ps_enabled=dict(type="bool"),
        ),
        required_together=[["k", "opc"]],
        supports_check_mode=True,
    )
    p = module.params
    msisdn = Ellipsis if p["msisdn"] is None else p["msisdn"]
    try:
        with HlrCtrl(p["ctrl_host"], p["ctrl_port"]) as hlr:
            changed, before, after, actions = hlr.ensure_subscriber(
                p["imsi"], state=p["state"], msisdn=msisdn, k=p["k"], opc=p["opc"],
                cs_enabled=p["cs_enabled"], ps_enabled=p["ps_enabled"], check_mode=module.check_mode)
    except (HlrCtrlError, ValueError) as error:
        module.fail_json(msg="osmo-hlr %s:%s: %s" % (p["ctrl_host"], p["ctrl_port"], error))
    planned = [what for what, _ in actions]
    after_view = predicted_view(before, p["imsi"], actions) if module.check_mode else public_view(after)
    module.exit_json(
        changed=changed,
        actions=planned,
        before=public_view(before),
        subscriber=after_view,
        diff={"before": public_view(before), "after": after_view},
    )


if __name__ == "__main__":
    main()
