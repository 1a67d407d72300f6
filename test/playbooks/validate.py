#!/usr/bin/env python3
"""End-to-end checks of the demo product playbooks against a throw-away lab directory.

Runs the real ansible-playbook (as the engine does: one JSON extra-vars file, values wrapped
as {"__ansible_unsafe": ...}) and checks the effect on the stand-in element files, the exit
codes, the recap (rescued/failed), the custom stats, and that no secret reaches the output.

    python3 test/playbooks/validate.py            # all products
    python3 test/playbooks/validate.py voip-line  # one product

The suite runs it (test/runner/demo-playbooks.test.ts, the runner tier).
"""
import copy
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PLAYBOOKS = os.path.join(os.path.dirname(os.path.dirname(HERE)), 'playbooks')
ANSIBLE = os.environ.get('ANSIBLE_PLAYBOOK', 'ansible-playbook')
FAILURES = []
# Every lab directory of this session lives under one root, removed at the end.
TMP_ROOT = tempfile.mkdtemp(prefix='provisio-playbook-tests-')


def unsafe(value):
    return {'__ansible_unsafe': value}


def load_fixture(product):
    with open(os.path.join(HERE, f'{product}.json')) as f:
        return json.load(f)


def run(product, action, variables, lab, *extra, callback='json'):
    """Runs one playbook; returns (rc, parsed json output or raw text, raw stdout+stderr)."""
    # The vars file holds secrets: private to this user, deleted right after the run.
    with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False, dir=TMP_ROOT) as f:
        json.dump(variables, f)
        vars_file = f.name
    env = dict(os.environ, PROVISIO_LAB_DIR=lab, ANSIBLE_NOCOLOR='1',
               ANSIBLE_STDOUT_CALLBACK='test_events' if callback == 'json' else callback,
               ANSIBLE_CALLBACK_PLUGINS=os.path.join(HERE, 'callback_plugins'),
               ANSIBLE_SHOW_CUSTOM_STATS='1', ANSIBLE_RETRY_FILES_ENABLED='0', ANSIBLE_LOCALHOST_WARNING='0')
    cmd = [ANSIBLE, '-i', 'localhost,', '-c', 'local', '-e', f'@{vars_file}',
           '-e', 'ansible_python_interpreter=/usr/bin/python3',
           os.path.join(PLAYBOOKS, product, f'{action}.yml'), *extra]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    os.unlink(vars_file)
    out = proc.stdout
    parsed = None
    if callback == 'json':
        try:
            parsed = json.loads(out)
        except ValueError:
            parsed = None
    return proc.returncode, parsed, out + proc.stderr


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print(f'  FAIL {what}')
    else:
        print(f'  ok   {what}')


def lab_files(lab):
    found = {}
    for root, _, files in os.walk(lab):
        for name in files:
            path = os.path.join(root, name)
            with open(path, 'rb') as f:
                found[os.path.relpath(path, lab)] = (f.read(), oct(os.stat(path).st_mode & 0o777))
    return found


def recap(parsed):
    return parsed['stats'].get('localhost', {}) if parsed and 'stats' in parsed else {}


def secrets_of(variables, for_output=False):
    """Raw secrets; for_output adds what may be on disk but never in events (password digest)."""
    out = []
    inv = variables['inventory']
    for key in ('ki', 'opc'):
        if 'sim' in inv and key in inv['sim']:
            out.append(inv['sim'][key]['__ansible_unsafe'])
    pw = variables['product'].get('sip_password')
    if pw:
        out.append(pw['__ansible_unsafe'])
        if for_output:
            # An unsalted digest of a chosen password must not reach events either.
            out.append(hashlib.sha256(pw['__ansible_unsafe'].encode()).hexdigest())
    return out


def with_product(variables, **overrides):
    v = copy.deepcopy(variables)
    v['product'].update(overrides)
    return v


PRODUCTS = {
    'mobile-sim-plan': {
        'files': ['hss/subscribers/262010000000001.json', 'pcrf/262010000000001.json', 'hss/active/4930123456'],
        'steps': ['hss_subscriber', 'pcrf_profile', 'activation'],
        'desteps': ['deactivation', 'remove_pcrf_profile', 'remove_hss_subscriber'],
        'stats': {'msisdn': '4930123456', 'apn': 'internet'},
    },
    'fibre-broadband': {
        'files': ['olt/onts/ALCLB0C0FFEE.json', 'radius/users/00:1a:2b:3c:4d:5e.conf', 'dhcp/00:1a:2b:3c:4d:5e.conf'],
        'steps': ['ont_registration', 'radius_user', 'dhcp_reservation'],
        'desteps': ['remove_dhcp_reservation', 'remove_radius_user', 'remove_ont_registration'],
        'stats': {'vlan': 100, 'ip_block': '100.64.0.8/29'},
    },
    'voip-line': {
        'files': ['sip/registrar/4930999888.conf', 'sip/voicemail/+4930999888.json'],
        'steps': ['sip_registrar', 'voicemail_box'],
        'desteps': ['remove_voicemail_box', 'remove_sip_registrar'],
        'stats': {'sip_uri': 'sip:+4930999888@voip.example.net'},
    },
}


def common_checks(product):
    spec = PRODUCTS[product]
    base = load_fixture(product)
    secrets = secrets_of(base, for_output=True)
    raw_secrets = secrets_of(base)

    print(f'== {product}: syntax-check')
    for action in ('provision', 'deprovision'):
        proc = subprocess.run([ANSIBLE, '--syntax-check', '-i', 'localhost,',
                               os.path.join(PLAYBOOKS, product, f'{action}.yml')], capture_output=True, text=True)
        check(proc.returncode == 0, f'{action}.yml --syntax-check')

    print(f'== {product}: provision succeeds')
    lab = tempfile.mkdtemp(prefix='lab-', dir=TMP_ROOT)
    rc, out, raw = run(product, 'provision', base, lab)
    files = lab_files(lab)
    check(rc == 0, f'exit 0 (got {rc})')
    check(sorted(files) == sorted(spec['files']), f'files {sorted(spec["files"])} (got {sorted(files)})')
    check(all(mode == '0o640' for _, mode in files.values()), 'files are mode 0640')
    check(out is not None and out.get('global_custom_stats') == spec['stats'],
          f'custom stats {spec["stats"]} (got {out and out.get("global_custom_stats")})')
    check(not any(s in raw for s in secrets), 'no secret in json callback output')
    check(not any(s.encode() in content for s in raw_secrets for content, _ in files.values()), 'no secret in files')
    provisioned = files

    print(f'== {product}: provision again is idempotent')
    rc, out, raw = run(product, 'provision', base, lab)
    check(rc == 0 and recap(out).get('changed') == 0, f'exit 0 and changed=0 (got rc {rc}, {recap(out)})')

    print(f'== {product}: provision with -vvv default callback leaks no secret')
    lab2 = tempfile.mkdtemp(prefix='lab-', dir=TMP_ROOT)
    rc, _, raw = run(product, 'provision', base, lab2, '-vvv', '--diff', callback='default')
    check(rc == 0 and not any(s in raw for s in secrets), 'no secret in -vvv --diff output')

    print(f'== {product}: check mode writes nothing and shows diffs')
    lab3 = tempfile.mkdtemp(prefix='lab-', dir=TMP_ROOT)
    rc, _, raw = run(product, 'provision', base, lab3, '--check', '--diff', callback='default')
    check(rc == 0, f'exit 0 (got {rc})')
    check(os.listdir(lab3) == [], f'lab dir untouched (got {os.listdir(lab3)})')
    check('+++ after' in raw, 'diff shown')
    check(not any(s in raw for s in secrets), 'no secret in check/diff output')

    for step in spec['steps']:
        print(f'== {product}: simulate_failure_at={step}')
        lab4 = tempfile.mkdtemp(prefix='lab-', dir=TMP_ROOT)
        rc, out, raw = run(product, 'provision', with_product(base, simulate_failure_at=unsafe(step)), lab4)
        r = recap(out)
        check(rc == 0 and r.get('rescued') == 1 and r.get('failures') == 0, f'exit 0, rescued=1, failures=0 (got rc {rc}, {r})')
        check(lab_files(lab4) == {}, f'no element file left (got {sorted(lab_files(lab4))})')
        check(out is not None and not out.get('global_custom_stats'), 'no custom stats published')

    print(f'== {product}: simulate_rescue_failure')
    lab5 = tempfile.mkdtemp(prefix='lab-', dir=TMP_ROOT)
    rc, out, raw = run(product, 'provision', with_product(base, simulate_failure_at=unsafe(spec['steps'][-1]),
                                                          simulate_rescue_failure=True), lab5)
    check(rc == 2, f'exit 2 (got {rc})')
    check(lab_files(lab5) == {}, 'rescue cleaned before failing')

    print(f'== {product}: unknown simulate_failure_at is refused')
    lab6 = tempfile.mkdtemp(prefix='lab-', dir=TMP_ROOT)
    rc, out, raw = run(product, 'provision', with_product(base, simulate_failure_at=unsafe('typo')), lab6)
    check(rc == 0 and recap(out).get('rescued') == 1 and lab_files(lab6) == {}, f'rolled back, nothing written (rc {rc})')

    print(f'== {product}: simulate_delay_seconds')
    lab7 = tempfile.mkdtemp(prefix='lab-', dir=TMP_ROOT)
    started = time.monotonic()
    rc, out, raw = run(product, 'provision', with_product(base, simulate_delay_seconds=unsafe('3')), lab7)
    elapsed = time.monotonic() - started
    check(rc == 0 and elapsed >= 3, f'exit 0 after >= 3 s (rc {rc}, {elapsed:.1f} s)')
    rc, out, raw = run(product, 'provision', with_product(base, simulate_delay_seconds=30), lab7, '--check')
    delay = [e['event'] for e in (out or {}).get('events', []) if e['task'] == 'Simulate a slow network element']
    check(rc == 0 and delay == ['skipped'], f'delay step skipped in check mode (rc {rc}, {delay})')

    print(f'== {product}: deprovision check mode removes nothing')
    rc, out, raw = run(product, 'deprovision', base, lab, '--check', '--diff', callback='default')
    check(rc == 0 and lab_files(lab) == provisioned, f'exit 0, files unchanged (rc {rc})')

    for step in spec['desteps']:
        print(f'== {product}: deprovision simulate_failure_at={step} restores the service')
        rc, out, raw = run(product, 'deprovision', with_product(base, simulate_failure_at=unsafe(step)), lab)
        r = recap(out)
        check(rc == 0 and r.get('rescued') == 1 and r.get('failures') == 0, f'exit 0, rescued=1 (got rc {rc}, {r})')
        check(lab_files(lab) == provisioned, 'files restored byte for byte, mode 0640')
        check(not any(s in raw for s in secrets), 'no secret in output')

    print(f'== {product}: deprovision with failing rescue')
    rc, out, raw = run(product, 'deprovision', with_product(base, simulate_failure_at=unsafe(spec['desteps'][0]),
                                                            simulate_rescue_failure=True), lab)
    check(rc == 2, f'exit 2 (got {rc})')
    check(lab_files(lab) == provisioned, 'files restored before the rescue failed')

    print(f'== {product}: deprovision')
    rc, out, raw = run(product, 'deprovision', base, lab)
    check(rc == 0 and lab_files(lab) == {}, f'exit 0, all element files gone (rc {rc}, left {sorted(lab_files(lab))})')
    print(f'== {product}: deprovision again (already gone)')
    rc, out, raw = run(product, 'deprovision', base, lab)
    check(rc == 0 and recap(out).get('changed') == 0, f'exit 0, changed=0 (rc {rc}, {recap(out)})')
    print(f'== {product}: deprovision failing when already gone restores nothing')
    rc, out, raw = run(product, 'deprovision', with_product(base, simulate_failure_at=unsafe(spec['desteps'][-1])), lab)
    check(rc == 0 and recap(out).get('rescued') == 1 and lab_files(lab) == {}, f'rolled back, still nothing (rc {rc})')
    return base


def mobile_checks():
    product = 'mobile-sim-plan'
    base = load_fixture(product)
    print(f'== {product}: content')
    lab = tempfile.mkdtemp(prefix='lab-', dir=TMP_ROOT)
    v = with_product(base, apn=unsafe('corp.example'), data_limit_gb=unsafe('0'), roaming=unsafe('true'))
    v['inventory']['sim']['identifier'] = unsafe("['8949', {{ 7*7 }}]")  # must stay a literal string
    rc, out, _ = run(product, 'provision', v, lab)
    hss = json.load(open(os.path.join(lab, 'hss/subscribers/262010000000001.json')))
    pcrf = json.load(open(os.path.join(lab, 'pcrf/262010000000001.json')))
    active = json.load(open(os.path.join(lab, 'hss/active/4930123456')))
    sim = base['inventory']['sim']
    check(hss == {'imsi': '262010000000001', 'iccid': "['8949', {{ 7*7 }}]", 'msisdn': '4930123456',
                  'apn': 'corp.example', 'service_id': 'svc-0001',
                  'ki_sha256': hashlib.sha256(sim['ki']['__ansible_unsafe'].encode()).hexdigest(),
                  'opc_sha256': hashlib.sha256(sim['opc']['__ansible_unsafe'].encode()).hexdigest()}, f'HSS record {hss}')
    check(pcrf == {'imsi': '262010000000001', 'apn': 'corp.example', 'data_limit_gb': 0, 'roaming': True},
          f'PCRF profile typed from unsafe strings {pcrf}')
    check(active == {'msisdn': '4930123456', 'imsi': '262010000000001', 'service_id': 'svc-0001'}, 'activation')
    check(out['global_custom_stats'] == {'msisdn': '4930123456', 'apn': 'corp.example'}, 'stats')

    print(f'== {product}: defaults when product variables are absent')
    lab = tempfile.mkdtemp(prefix='lab-', dir=TMP_ROOT)
    v = copy.deepcopy(base)
    v['product'] = {}
    rc, out, _ = run(product, 'provision', v, lab)
    pcrf = json.load(open(os.path.join(lab, 'pcrf/262010000000001.json')))
    check(rc == 0 and pcrf == {'imsi': '262010000000001', 'apn': 'internet', 'data_limit_gb': 20, 'roaming': False},
          f'defaults {pcrf}')

    print(f'== {product}: inventory as a list of one')
    lab = tempfile.mkdtemp(prefix='lab-', dir=TMP_ROOT)
    v = copy.deepcopy(base)
    v['inventory'] = {k: [item] for k, item in v['inventory'].items()}
    rc, out, _ = run(product, 'provision', v, lab)
    check(rc == 0 and sorted(lab_files(lab)) == sorted(PRODUCTS[product]['files']), f'works (rc {rc})')

    print(f'== {product}: path traversal in an identifier is refused, nothing written or removed')
    outer = tempfile.mkdtemp(prefix='outer-', dir=TMP_ROOT)
    lab = os.path.join(outer, 'lab')
    os.mkdir(lab)
    victim = os.path.join(outer, 'victim.json')
    open(victim, 'w').write('keep me')
    v = copy.deepcopy(base)
    v['inventory']['sim']['imsi'] = unsafe('../../../victim')
    rc, out, _ = run(product, 'provision', v, lab)
    check(rc == 0 and recap(out).get('rescued') == 1, f'rolled back (rc {rc}, {recap(out)})')
    check(os.path.exists(victim) and lab_files(lab) == {}, 'outside file untouched, nothing written')
    rc, out, _ = run(product, 'deprovision', v, lab)
    check(rc == 0 and recap(out).get('rescued') == 1 and os.path.exists(victim), 'deprovision refuses it too')

    print(f'== {product}: missing Ki fails without revealing anything')
    lab = tempfile.mkdtemp(prefix='lab-', dir=TMP_ROOT)
    v = copy.deepcopy(base)
    del v['inventory']['sim']['ki']
    rc, out, raw = run(product, 'provision', v, lab)
    check(rc == 0 and recap(out).get('rescued') == 1 and lab_files(lab) == {}, f'rolled back (rc {rc})')
    check(base['inventory']['sim']['opc']['__ansible_unsafe'] not in raw, 'OPc not in output')


def fibre_checks():
    product = 'fibre-broadband'
    base = load_fixture(product)
    print(f'== {product}: content and gateway arithmetic')
    cases = [('100.64.0.8/29', '100.64.0.9', '255.255.255.248'), ('10.0.0.0/8', '10.0.0.1', '255.0.0.0'),
             ('192.168.1.0/24', '192.168.1.1', '255.255.255.0'), ('203.0.113.4/30', '203.0.113.5', '255.255.255.252'),
             ('198.51.100.6/31', '198.51.100.6', '255.255.255.254'), ('198.51.100.7/32', '198.51.100.7', '255.255.255.255'),
             ('0.0.0.0/0', '0.0.0.1', '0.0.0.0'), ('2001:db8:0:100::/56', '2001:db8:0:100::1', 'ffff:ffff:ffff:ff00::'),
             ('2001:db8::/127', '2001:db8::', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe')]
    for cidr, gateway, netmask in cases:
        lab = tempfile.mkdtemp(prefix='lab-', dir=TMP_ROOT)
        v = copy.deepcopy(base)
        v['inventory']['ip_block']['identifier'] = unsafe(cidr)
        v['product'].update(download_mbps=unsafe('1000'), upload_mbps=unsafe('250'), vlan=unsafe('42'))
        v['inventory']['modem']['model'] = unsafe('{"x": "{{ 7*7 }}"}')
        rc, out, _ = run(product, 'provision', v, lab)
        dhcp = open(os.path.join(lab, 'dhcp/00:1a:2b:3c:4d:5e.conf')).read()
        check(rc == 0 and f'ip_block = "{cidr}"' in dhcp and f'gateway = "{gateway}"' in dhcp
              and f'netmask = "{netmask}"' in dhcp and 'vlan = 42' in dhcp, f'{cidr}: gateway {gateway}, netmask {netmask}')
        check(out['global_custom_stats'] == {'vlan': 42, 'ip_block': cidr}, f'{cidr}: stats')
    radius = open(os.path.join(lab, 'radius/users/00:1a:2b:3c:4d:5e.conf')).read()
    check('download_mbps = 1000' in radius and 'upload_mbps = 250' in radius, 'RADIUS rate limits')
    ont = json.load(open(os.path.join(lab, 'olt/onts/ALCLB0C0FFEE.json')))
    check(ont == {'serial': 'ALCLB0C0FFEE', 'model': '{"x": "{{ 7*7 }}"}', 'mac': '00:1a:2b:3c:4d:5e', 'vlan': 42,
                  'admin_state': 'up', 'service_id': 'svc-0002'}, f'ONT registration {ont}')
    for bad in ('100.64.0.9/29', '100.64.0.0', '300.1.1.1/24', '2001:db8::1/48', '1.2.3.4/33', '{{ 7*7 }}/29'):
        lab = tempfile.mkdtemp(prefix='lab-', dir=TMP_ROOT)
        v = copy.deepcopy(base)
        v['inventory']['ip_block']['identifier'] = unsafe(bad)
        rc, out, _ = run(product, 'provision', v, lab)
        check(rc == 0 and recap(out).get('rescued') == 1 and lab_files(lab) == {}, f'{bad} refused, nothing written')


def voip_checks():
    product = 'voip-line'
    base = load_fixture(product)
    print(f'== {product}: template-looking values stay literal')
    lab = tempfile.mkdtemp(prefix='lab-', dir=TMP_ROOT)
    rc, out, _ = run(product, 'provision', base, lab)
    reg = open(os.path.join(lab, 'sip/registrar/4930999888.conf')).read()
    vm = json.load(open(os.path.join(lab, 'sip/voicemail/+4930999888.json')))
    check('caller_id_name = "{{ 7*7 }}"' in reg and vm['caller_id_name'] == '{{ 7*7 }}', 'caller_id_name literal')
    pw = base['product']['sip_password']['__ansible_unsafe']
    check(f'password_sha256 = "{hashlib.sha256(pw.encode()).hexdigest()}"' in reg, 'password digest of the literal value')

    print(f'== {product}: caller_id_name with quotes and newline cannot inject config lines')
    lab = tempfile.mkdtemp(prefix='lab-', dir=TMP_ROOT)
    rc, out, _ = run(product, 'provision', with_product(base, caller_id_name=unsafe('A "B"\nvoicemail = false')), lab)
    reg = open(os.path.join(lab, 'sip/registrar/4930999888.conf')).read()
    check(rc == 0 and 'caller_id_name = "A \\"B\\"\\nvoicemail = false"' in reg and reg.count('\nvoicemail = ') == 1,
          'escaped as one JSON string')

    print(f'== {product}: voicemail false (unsafe string) removes/omits the box')
    rc, out, _ = run(product, 'provision', with_product(base, voicemail=unsafe('false')), lab)
    check(rc == 0 and sorted(lab_files(lab)) == ['sip/registrar/4930999888.conf'], f'only registrar ({sorted(lab_files(lab))})')
    check('voicemail = false' in open(os.path.join(lab, 'sip/registrar/4930999888.conf')).read(), 'registrar says voicemail off')
    rc, out, _ = run(product, 'deprovision', with_product(base, voicemail=False), lab)
    check(rc == 0 and lab_files(lab) == {}, 'deprovision removes it')

    print(f'== {product}: missing sip_password rolls back')
    lab = tempfile.mkdtemp(prefix='lab-', dir=TMP_ROOT)
    v = copy.deepcopy(base)
    del v['product']['sip_password']
    rc, out, _ = run(product, 'provision', v, lab)
    check(rc == 0 and recap(out).get('rescued') == 1 and lab_files(lab) == {}, f'rolled back (rc {rc})')


def main():
    selected = sys.argv[1:] or list(PRODUCTS)
    extra = {'mobile-sim-plan': mobile_checks, 'fibre-broadband': fibre_checks, 'voip-line': voip_checks}
    try:
        for product in selected:
            common_checks(product)
            extra[product]()
    finally:
        shutil.rmtree(TMP_ROOT, ignore_errors=True)
    print()
    if FAILURES:
        print(f'{len(FAILURES)} check(s) failed:')
        for f in FAILURES:
            print(f'  - {f}')
        sys.exit(1)
    print('all checks passed')


if __name__ == '__main__':
    main()
