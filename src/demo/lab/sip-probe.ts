import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';

// A SIP OPTIONS over UDP to the server itself, as far as the lab needs one (a readiness probe):
// a 200 proves the SIP workers, the routing script and the listen socket; the registrar answers
// it without touching its database.

/** Sends one OPTIONS to host:port from an ephemeral loopback port; resolves with the status code of the answer. */
export function sipOptions(host: string, port: number, timeoutMs = 1_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    const tag = randomBytes(8).toString('hex');
    const timer = setTimeout(() => finish(new Error(`no SIP answer from ${host}:${port} within ${timeoutMs} ms`)), timeoutMs);
    function finish(result: Error | number) {
      clearTimeout(timer);
      socket.close();
      if (typeof result === 'number') resolve(result);
      else reject(result);
    }
    socket.once('error', (error) => finish(error));
    socket.on('message', (message) => {
      const status = /^SIP\/2\.0 (\d{3}) /.exec(message.toString('utf8'));
      if (status) finish(Number(status[1]));
    });
    socket.bind(0, '127.0.0.1', () => {
      const local = socket.address();
      const request = [
        `OPTIONS sip:${host}:${port} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${local.port};branch=z9hG4bK${tag}`,
        'Max-Forwards: 70',
        `From: <sip:probe@127.0.0.1>;tag=${tag}`,
        `To: <sip:${host}:${port}>`,
        `Call-ID: ${tag}@provisio-lab`,
        'CSeq: 1 OPTIONS',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      socket.send(request, port, host);
    });
  });
}
