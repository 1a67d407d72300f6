# -*- coding: utf-8 -*-
# Provisio event stream: one JSON object per line for every Ansible event,
# written to the file descriptor named by PROVISIO_EVENT_FD (never stdout, so
# banners and warnings cannot corrupt the stream). Notification type, so the
# default stdout callback keeps writing the human-readable log.
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = '''
    name: provisio_events
    type: notification
    short_description: Provisio JSON-lines event stream on a dedicated file descriptor
    description:
      - Writes one JSON object per line per Ansible event to the fd in PROVISIO_EVENT_FD.
      - Aborts the run when the fd is not writable (callback errors are otherwise only warnings).
    requirements:
      - PROVISIO_EVENT_FD environment variable (an open, writable file descriptor)
'''

import datetime
import errno
import fcntl
import json
import math
import os
import select
import signal
import stat
import sys
import threading
from collections.abc import Mapping

from ansible import constants as C
from ansible import context
from ansible.playbook.block import Block
from ansible.plugins.callback import CallbackBase
from ansible.release import __version__ as ansible_version

# Exit code when the event fd is unusable; distinct from Ansible's own codes
# (0,1,2,4,5,8,99,250) so the runner can report it precisely.
FATAL_EXIT = 97
DEFAULT_MAX_EVENT_BYTES = 65536
MAX_NAME_CHARS = 1024
MAX_DEPTH = 64
CENSORED_ITEM = '(censored due to no_log)'


def _abort(message, kill_group):
    """Stop the run now: a run whose events cannot be recorded must not go on."""
    try:
        os.write(2, ('\n[provisio_events] FATAL: %s; aborting the run\n' % message).encode('utf-8', 'replace'))
    except OSError:
        pass
    # Mid-run the workers and module processes must die too; they share our
    # process group when the runner launched us as a group leader.
    if kill_group and os.getpgrp() == os.getpid():
        os.killpg(os.getpid(), signal.SIGKILL)
    os._exit(FATAL_EXIT)


def _open_event_fd():
    raw = os.environ.get('PROVISIO_EVENT_FD')
    if not raw:
        _abort('PROVISIO_EVENT_FD is not set', False)
    try:
        fd = int(raw)
    except ValueError:
        _abort('PROVISIO_EVENT_FD=%r is not a file descriptor number' % raw, False)
    try:
        flags = fcntl.fcntl(fd, fcntl.F_GETFL)
        mode = os.fstat(fd).st_mode
    except OSError as e:
        _abort('event fd %d is not open (%s)' % (fd, e.strerror), False)
    if flags & os.O_ACCMODE not in (os.O_WRONLY, os.O_RDWR):
        _abort('event fd %d is not writable' % fd, False)
    # The runner relies on pipe backpressure: writes must block, not EAGAIN.
    os.set_blocking(fd, True)
    # Processes exec'd by tasks must not hold the stream open (the reader
    # would never see EOF).
    os.set_inheritable(fd, False)
    return fd, stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def _plain(obj, depth=0):
    """Convert Ansible data to plain JSON-able values without templating or decrypting."""
    if depth > MAX_DEPTH:
        return '<too deep>'
    if obj is None or isinstance(obj, (bool, int)):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else str(obj)
    if isinstance(obj, str):
        return str(obj)  # drops the AnsibleUnsafe subclass
    if getattr(obj, '__ENCRYPTED__', False):
        return '<vault encrypted>'  # str() would decrypt it
    if isinstance(obj, bytes):
        return obj.decode('utf-8', 'replace')
    if isinstance(obj, Mapping):
        return dict((str(k), _plain(v, depth + 1)) for k, v in obj.items())
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [_plain(v, depth + 1) for v in obj]
    if isinstance(obj, (datetime.datetime, datetime.date, datetime.time)):
        return obj.isoformat()
    return str(obj)


def _dumps(obj):
    # ASCII output: lone surrogates and odd code points can never break the line framing.
    return json.dumps(obj, ensure_ascii=True, separators=(',', ':'), allow_nan=False)


def _short(s):
    if s is None:
        return None
    s = str(s)
    return s if len(s) <= MAX_NAME_CHARS else s[:MAX_NAME_CHARS] + '...'


def _sections(task):
    """Block sections (outermost first) that enclose the task, e.g. ['rescue', 'block'].

    A task's parent chain holds Blocks; an explicit block lists its children
    (by uuid, since the strategy works on copies) in block/rescue/always.
    Implicit blocks (plain task lists, role bodies) only have 'block' and are skipped.
    """
    path = []
    child = task
    parent = getattr(task, '_parent', None)
    guard = 0
    while parent is not None and guard < 100:
        guard += 1
        if isinstance(parent, Block) and not getattr(parent, '_implicit', False):
            uuid = getattr(child, '_uuid', None)
            for name in ('block', 'rescue', 'always'):
                if any(getattr(t, '_uuid', None) == uuid for t in (getattr(parent, name, None) or [])):
                    path.append(name)
                    break
        child = parent
        parent = getattr(parent, '_parent', None)
    path.reverse()
    return path


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'notification'
    CALLBACK_NAME = 'provisio_events'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None):
        super(CallbackModule, self).__init__(display)
        self._fd, watchable = _open_event_fd()
        self._pid = os.getpid()
        self._lock = threading.RLock()
        self._seq = 0
        self._failed = False
        try:
            self._max = max(4096, int(os.environ.get('PROVISIO_EVENT_MAX_BYTES') or DEFAULT_MAX_EVENT_BYTES))
        except ValueError:
            self._max = DEFAULT_MAX_EVENT_BYTES
        self._hook_display()
        if watchable:
            self._start_watchdog()

    # ---- output -----------------------------------------------------------

    def _emit(self, etype, fields):
        # Workers are forked from us and inherit this object; only the
        # controller process may write, or lines would interleave.
        if os.getpid() != self._pid or self._failed:
            return
        with self._lock:
            self._seq += 1
            event = {'type': etype, 'seq': self._seq,
                     'ts': datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='microseconds')}
            for k, v in fields.items():
                if v is not None:
                    event[k] = v
            data = self._encode(event)
            try:
                view = memoryview(data)
                while view:
                    n = os.write(self._fd, view)
                    view = view[n:]
            except OSError as e:
                self._failed = True
                _abort('cannot write to event fd %d (%s)' % (self._fd, e.strerror or e), True)

    def _encode(self, event):
        try:
            event = _plain(event)
            line = _dumps(event)
        except (TypeError, ValueError) as e:
            event = {'type': event.get('type'), 'seq': event.get('seq'), 'ts': event.get('ts'),
                     'message': 'provisio_events could not encode this event: %s' % e, 'truncated': True}
            line = _dumps(event)
        if len(line) + 1 > self._max:
            line = self._truncate(event)
        return (line + '\n').encode('ascii')

    def _truncate(self, event):
        """Replace the largest fields with markers until the event fits the cap."""
        event['truncated'] = True
        total = [len(_dumps(event)) + 1]  # kept up to date as fields are replaced

        def replace(container, key, size):
            mark = '<truncated: %d bytes>' % size
            container[key] = mark
            total[0] -= size - len(_dumps(mark))

        # Phase 1: individual result fields, custom stats entries, item, diff, message.
        slots = []
        result = event.get('result')
        if isinstance(result, dict):
            slots.extend((result, k) for k in result)
        stats = event.get('stats')
        if isinstance(stats, dict) and isinstance(stats.get('custom'), dict):
            # custom stats are {host or _run: {name: value}}: keep the small values
            for per_host in stats['custom'].values():
                if isinstance(per_host, dict):
                    slots.extend((per_host, k) for k in per_host)
        slots.extend((event, k) for k in ('item', 'diff', 'message') if k in event)
        sized = sorted(((len(_dumps(c[k])), c, k) for c, k in slots), key=lambda t: -t[0])
        for size, container, key in sized:
            if total[0] <= self._max or size <= 64:
                break
            replace(container, key, size)
        # Phase 2: whole containers.
        for key in ('result', 'stats', 'diff', 'item'):
            if total[0] <= self._max:
                break
            if key in event:
                replace(event, key, len(_dumps(event[key])))
        line = _dumps(event)
        if len(line) + 1 > self._max:
            keep = ('type', 'seq', 'ts', 'host', 'taskUuid', 'changed', 'censored', 'truncated')
            event = dict((k, event[k]) for k in keep if k in event)
            event['message'] = 'event exceeded %d bytes' % self._max
            line = _dumps(event)
        return line

    # ---- dead-man switch ----------------------------------------------------

    def _start_watchdog(self):
        """Abort as soon as the reader of the event stream goes away.

        If the runner process dies, its end of the pipe/socket closes; without
        this the run would go on unobserved until its next event.
        """
        fd = self._fd

        def watch():
            poller = select.poll()
            poller.register(fd, select.POLLERR | select.POLLHUP)
            while True:
                try:
                    ready = poller.poll()
                except InterruptedError:
                    continue
                if ready:
                    _abort('the reader of event fd %d went away' % fd, True)

        t = threading.Thread(target=watch, name='provisio-events-watchdog', daemon=True)
        t.start()

    # ---- warnings -----------------------------------------------------------

    def _hook_display(self):
        """Also emit warnings/deprecations shown by the controller process.

        Warnings raised in the controller go through Display.warning/deprecated;
        those raised in worker processes arrive already formatted through
        Display.display (color COLOR_WARN/COLOR_DEPRECATE), so both are hooked,
        with a flag so one warning is not reported twice.
        """
        disp = self._display
        orig_warning = disp.warning
        orig_deprecated = disp.deprecated
        orig_display = disp.display
        emit = self._emit
        pid = self._pid
        local = threading.local()

        def report(etype, fields):
            if os.getpid() != pid or getattr(local, 'busy', False):
                return False
            local.busy = True
            try:
                emit(etype, fields)
            finally:
                local.busy = False
            return True

        def warning(msg, formatted=False):
            was_busy = getattr(local, 'busy', False)
            local.busy = True
            try:
                orig_warning(msg, formatted=formatted)
            finally:
                local.busy = was_busy
            report('warning', {'message': _plain(msg)})

        def deprecated(msg, version=None, removed=False, date=None, collection_name=None):
            was_busy = getattr(local, 'busy', False)
            local.busy = True
            try:
                orig_deprecated(msg, version=version, removed=removed, date=date, collection_name=collection_name)
            finally:
                local.busy = was_busy
            report('deprecation', {'message': _plain(msg), 'version': _plain(version)})

        def display(msg, color=None, stderr=False, screen_only=False, log_only=False, newline=True):
            orig_display(msg, color=color, stderr=stderr, screen_only=screen_only, log_only=log_only, newline=newline)
            if color is not None and color in (C.COLOR_WARN, C.COLOR_DEPRECATE) and isinstance(msg, str):
                text = ' '.join(line.strip() for line in msg.strip().splitlines())
                for prefix in ('[WARNING]:', '[DEPRECATION WARNING]:'):
                    if text.startswith(prefix):
                        text = text[len(prefix):].strip()
                report('warning' if color == C.COLOR_WARN else 'deprecation', {'message': text})

        disp.warning = warning
        disp.deprecated = deprecated
        disp.display = display

    # ---- field helpers ------------------------------------------------------

    def _task_fields(self, task):
        if task is None:
            return {}
        sections = _sections(task)
        role = getattr(task, '_role', None)
        fields = {
            'task': _short(task.get_name()),
            'taskUuid': task._uuid,
            'action': task.action,
            'section': sections[-1] if sections else None,
            'sectionPath': sections,
            'role': _short(role.get_name()) if role is not None else None,
            'path': _short(task.get_path()) or None,
        }
        return fields

    def _is_no_log(self, result):
        res = result._result
        if 'censored' in res and len([k for k in res if k not in ('censored', 'changed', 'attempts', 'retries')]) == 0:
            return True
        tf = getattr(result, '_task_fields', None) or {}
        if tf.get('no_log') is True:
            return True
        task = result._task
        no_log = getattr(task, 'no_log', None)
        return isinstance(no_log, bool) and no_log or bool(res.get('_ansible_no_log', False))

    def _result_fields(self, result, ignore_errors=None, item=False):
        task = result._task
        censored = self._is_no_log(result)
        res = result._result
        tf = getattr(result, '_task_fields', None) or {}
        if ignore_errors is None:
            ie = tf.get('ignore_errors', getattr(task, 'ignore_errors', None))
            ignore_errors = ie if isinstance(ie, bool) else None
        fields = self._task_fields(task)
        if tf.get('name'):
            fields['task'] = _short(tf.get('name'))
        fields['host'] = result._host.get_name()
        fields['changed'] = bool(res.get('changed', False))
        fields['ignoreErrors'] = bool(ignore_errors) if ignore_errors is not None else False
        fields['censored'] = censored
        if censored:
            # Only the fields Ansible itself keeps for no_log results.
            fields['result'] = dict((k, res[k]) for k in ('censored', 'changed', 'attempts', 'retries') if k in res)
            if item:
                fields['item'] = CENSORED_ITEM
            return fields
        if item:
            fields['item'] = res.get('_ansible_item_label', res.get(res.get('ansible_loop_var') or 'item'))
        clean = {}
        is_loop = bool(getattr(task, 'loop', None) or getattr(task, 'loop_with', None))
        for k, v in res.items():
            if k.startswith('_ansible_') or k in ('invocation', 'diff'):
                continue
            if k == 'results' and is_loop and not item:
                continue  # every item was already sent as its own event
            clean[k] = v
        fields['result'] = clean
        return fields

    # ---- playbook-level events ------------------------------------------------

    def v2_playbook_on_start(self, playbook):
        args = context.CLIARGS
        self._emit('playbook_start', {
            'playbook': getattr(playbook, '_file_name', None),
            'checkMode': bool(args.get('check', False)),
            'diffMode': bool(args.get('diff', False)),
            'ansibleVersion': ansible_version,
            'pid': os.getpid(),
        })

    def v2_playbook_on_play_start(self, play):
        self._emit('play_start', {
            'play': _short(play.get_name()),
            'playUuid': play._uuid,
            'hosts': _plain(play.hosts) if isinstance(play.hosts, (list, str)) else None,
        })

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._emit('task_start', self._task_fields(task))

    def v2_playbook_on_handler_task_start(self, task):
        self._emit('handler_task_start', self._task_fields(task))

    def v2_playbook_on_cleanup_task_start(self, task):
        self._emit('cleanup_task_start', self._task_fields(task))

    def v2_playbook_on_notify(self, handler, host):
        self._emit('notify', {'handler': _short(handler.get_name()), 'host': host.get_name()})

    def v2_playbook_on_include(self, included_file):
        fields = self._task_fields(getattr(included_file, '_task', None))
        fields['includedFile'] = included_file._filename
        fields['hosts'] = [h.get_name() for h in included_file._hosts]
        self._emit('include', fields)

    def v2_playbook_on_no_hosts_matched(self):
        self._emit('no_hosts_matched', {})

    def v2_playbook_on_no_hosts_remaining(self):
        self._emit('no_hosts_remaining', {})

    def v2_playbook_on_stats(self, stats):
        hosts = {}
        for h in sorted(stats.processed.keys()):
            hosts[h] = stats.summarize(h)
        self._emit('stats', {'stats': {'hosts': hosts, 'custom': _plain(stats.custom or {})}})

    # ---- per-host events --------------------------------------------------------

    def v2_runner_on_start(self, host, task):
        fields = self._task_fields(task)
        fields['host'] = host.get_name()
        self._emit('runner_start', fields)

    def v2_runner_on_ok(self, result):
        self._emit('runner_ok', self._result_fields(result))

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._emit('runner_failed', self._result_fields(result, ignore_errors=ignore_errors))

    def v2_runner_on_skipped(self, result):
        self._emit('runner_skipped', self._result_fields(result))

    def v2_runner_on_unreachable(self, result):
        self._emit('runner_unreachable', self._result_fields(result))

    def v2_runner_item_on_ok(self, result):
        self._emit('runner_item_ok', self._result_fields(result, item=True))

    def v2_runner_item_on_failed(self, result):
        self._emit('runner_item_failed', self._result_fields(result, item=True))

    def v2_runner_item_on_skipped(self, result):
        self._emit('runner_item_skipped', self._result_fields(result, item=True))

    def v2_runner_retry(self, result):
        fields = self._result_fields(result)
        res = result._result
        fields['attempts'] = res.get('attempts')
        fields['retries'] = res.get('retries')
        self._emit('runner_retry', fields)

    def v2_runner_on_async_poll(self, result):
        self._emit('runner_async_poll', self._result_fields(result))

    def v2_runner_on_async_ok(self, result):
        self._emit('runner_async_ok', self._result_fields(result))

    def v2_runner_on_async_failed(self, result):
        self._emit('runner_async_failed', self._result_fields(result))

    def v2_on_file_diff(self, result):
        fields = self._result_fields(result, item='item' in result._result or '_ansible_item_label' in result._result)
        fields.pop('result', None)
        if fields['censored']:
            return  # no_log: the diff is not ours to show, not even that it exists
        diff = result._result.get('diff')
        if diff is None or diff == [] or diff == {}:
            return
        fields['diff'] = diff if isinstance(diff, list) else [diff]
        self._emit('diff', fields)
