import { createHash, createHmac, randomBytes } from 'node:crypto';
import dgram from 'node:dgram';

// RADIUS Status-Server (RFC 5997), as far as the lab needs it: a readiness probe that proves the
// daemon reads its clients (the shared secret) and answers on its auth port. A request without a
// valid Message-Authenticator is dropped silently, so an answer means the secret matches too.

const STATUS_SERVER = 12;
const ACCESS_ACCEPT = 2;
const MESSAGE_AUTHENTICATOR = 80;

/** A signed Status-Server packet: header, random Request Authenticator, Message-Authenticator (HMAC-MD5 over the packet with that field zeroed). */
export function statusServerPacket(identifier: number, secret: string): { packet: Buffer; authenticator: Buffer } {
  const authenticator = randomBytes(16);
  const packet = Buffer.concat([Buffer.from([STATUS_SERVER, identifier, 0, 38]), authenticator, Buffer.from([MESSAGE_AUTHENTICATOR, 18]), Buffer.alloc(16)]);
  createHmac('md5', secret).update(packet).digest().copy(packet, 22);
  return { packet, authenticator };
}

/** Whether `reply` is the Access-Accept to our request: same identifier, Response Authenticator MD5(code|id|length|request authenticator|attributes|secret). */
export function isSignedAccept(reply: Buffer, identifier: number, requestAuthenticator: Buffer, secret: string): boolean {
  if (reply.length < 20 || reply[0] !== ACCESS_ACCEPT || reply[1] !== identifier) return false;
  const length = reply.readUInt16BE(2);
  if (length < 20 || length > reply.length) return false;
  const expected = createHash('md5').update(reply.subarray(0, 4)).update(requestAuthenticator).update(reply.subarray(20, length)).update(secret).digest();
  return expected.equals(reply.subarray(4, 20));
}

/** Sends one Status-Server; resolves true on a signed Access-Accept, false on silence, refusal or anything else. */
export function radiusStatus(host: string, port: number, secret: string, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const identifier = randomBytes(1)[0]!;
    const { packet, authenticator } = statusServerPacket(identifier, secret);
    const socket = dgram.createSocket('udp4');
    let done = false;
    const finish = (ok: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    // Connected, so that a closed port (ICMP unreachable) is an error at once rather than a timeout.
    socket.once('error', () => finish(false));
    socket.on('message', (reply) => {
      if (reply[1] === identifier) finish(isSignedAccept(reply, identifier, authenticator, secret));
    });
    socket.connect(port, host, () => socket.send(packet));
  });
}
