import { createHash, createHmac } from 'node:crypto';
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSignedAccept, radiusStatus, statusServerPacket } from '../../src/demo/lab/radius-probe.ts';
import { freeUdpPort } from '../../src/demo/lab/ports.ts';

// The lab's RADIUS readiness probe against an in-process responder that does what RFC 5997 asks
// of a server: drop a Status-Server whose Message-Authenticator does not verify, else answer with
// an Access-Accept signed by the Response Authenticator.

const SECRET = 'lab-secret';
let responder: dgram.Socket;
let port: number;

function accept(request: Buffer, secret: string): Buffer {
  const reply = Buffer.concat([Buffer.from([2, request[1]!, 0, 20]), Buffer.alloc(16)]);
  createHash('md5').update(reply.subarray(0, 4)).update(request.subarray(4, 20)).update(secret).digest().copy(reply, 4);
  return reply;
}

beforeAll(async () => {
  responder = dgram.createSocket('udp4');
  responder.on('message', (request, peer) => {
    const signed = Buffer.from(request);
    request.subarray(22, 38).fill(0);
    if (!createHmac('md5', SECRET).update(request).digest().equals(signed.subarray(22, 38))) return;
    responder.send(accept(signed, SECRET), peer.port, peer.address);
  });
  await new Promise<void>((resolve) => responder.bind(0, '127.0.0.1', resolve));
  port = responder.address().port;
});
afterAll(() => responder.close());

describe('radius-probe', () => {
  it('signs a Status-Server with a Message-Authenticator over the whole packet', () => {
    const { packet, authenticator } = statusServerPacket(7, SECRET);
    expect([...packet.subarray(0, 4)]).toEqual([12, 7, 0, 38]);
    expect(packet.subarray(4, 20)).toEqual(authenticator);
    const zeroed = Buffer.from(packet);
    zeroed.subarray(22, 38).fill(0);
    expect(packet.subarray(22, 38)).toEqual(createHmac('md5', SECRET).update(zeroed).digest());
  });

  it('takes only an Access-Accept signed with the secret, to its identifier', () => {
    const { packet, authenticator } = statusServerPacket(9, SECRET);
    expect(isSignedAccept(accept(packet, SECRET), 9, authenticator, SECRET)).toBe(true);
    expect(isSignedAccept(accept(packet, 'another-secret'), 9, authenticator, SECRET)).toBe(false);
    expect(isSignedAccept(accept(packet, SECRET), 10, authenticator, SECRET)).toBe(false);
  });

  it('is ready on a signed Access-Accept, not with the wrong secret nor on a closed port', async () => {
    expect(await radiusStatus('127.0.0.1', port, SECRET)).toBe(true);
    expect(await radiusStatus('127.0.0.1', port, 'another-secret', 200)).toBe(false);
    expect(await radiusStatus('127.0.0.1', await freeUdpPort(), SECRET, 200)).toBe(false);
  });
});
