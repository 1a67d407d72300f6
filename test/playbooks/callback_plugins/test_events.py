# Test-only stdout callback (ansible-core ships no json callback): prints one JSON document
# with every runner event (the censored results callbacks receive, diffs included), the
# recap per host and the aggregated custom stats (set_stats). Used by validate.py.
from __future__ import annotations

import json

from ansible.parsing.ajson import AnsibleJSONEncoder
from ansible.plugins.callback import CallbackBase

DOCUMENTATION = '''
    name: test_events
    type: stdout
    short_description: JSON dump of events, recap and custom stats (Provisio playbook tests)
    description: Test helper for test/playbooks/validate.py.
'''


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'stdout'
    CALLBACK_NAME = 'test_events'

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.events = []

    def _event(self, kind, result, **extra):
        self.events.append(dict(event=kind, task=result._task.get_name(), result=result._result, **extra))

    def v2_runner_on_ok(self, result):
        self._event('ok', result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._event('failed', result, ignore_errors=ignore_errors)

    def v2_runner_on_skipped(self, result):
        self._event('skipped', result)

    def v2_runner_on_unreachable(self, result):
        self._event('unreachable', result)

    def v2_runner_item_on_ok(self, result):
        self._event('item_ok', result)

    def v2_runner_item_on_failed(self, result):
        self._event('item_failed', result)

    def v2_runner_item_on_skipped(self, result):
        self._event('item_skipped', result)

    def v2_on_file_diff(self, result):
        self._event('diff', result)

    def v2_playbook_on_stats(self, stats):
        doc = dict(
            events=self.events,
            stats={host: stats.summarize(host) for host in sorted(stats.processed)},
            global_custom_stats=stats.custom.get('_run', {}),
        )
        print(json.dumps(doc, cls=AnsibleJSONEncoder, indent=2, sort_keys=True))
