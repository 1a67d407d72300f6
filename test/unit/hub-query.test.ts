import { expect, it } from 'vitest';
import { hubQueryMatches } from '../../src/domain/webhooks/index.ts';

// A TMF hub's query (TMF630): which events its listener gets.

const completed = { eventType: 'ServiceOrderStateChangeEvent', body: { eventType: 'ServiceOrderStateChangeEvent', event: { serviceOrder: { id: 'o1', state: 'completed', serviceOrderItem: [{ id: '1', state: 'completed' }, { id: '2', state: 'failed' }] } } } };

it('takes every event without a query, and the named types with eventType (a comma is OR, case aside)', () => {
  expect(hubQueryMatches(null, completed)).toBe(true);
  expect(hubQueryMatches('', completed)).toBe(true);
  expect(hubQueryMatches('eventType=ServiceOrderCreateEvent,ServiceOrderStateChangeEvent', completed)).toBe(true);
  expect(hubQueryMatches('eventType=serviceorderstatechangeevent', completed)).toBe(true);
  expect(hubQueryMatches('eventType=ServiceOrderCreateEvent', completed)).toBe(false);
});

it('matches attributes of the event\'s resource, or of the whole body, through lists', () => {
  expect(hubQueryMatches('eventType=ServiceOrderStateChangeEvent&serviceOrder.state=completed', completed)).toBe(true);
  expect(hubQueryMatches('serviceOrder.state=failed,partial', completed)).toBe(false);
  expect(hubQueryMatches('event.serviceOrder.id=o1', completed)).toBe(true);
  expect(hubQueryMatches('?serviceOrder.serviceOrderItem.state=failed', completed)).toBe(true);
  expect(hubQueryMatches('serviceOrder.serviceOrderItem.state=cancelled', completed)).toBe(false);
  expect(hubQueryMatches('serviceOrder.nothing=x', completed)).toBe(false);
});
