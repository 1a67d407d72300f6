import net from 'node:net';

// The Osmocom CTRL protocol, as far as the lab needs it (a readiness probe, a test's change at the element): one text message per
// IPA frame, `len:uint16be | 0xEE (osmo) | 0x00 (CTRL) | text`, the length counting the CTRL byte.

const IPA_PROTO_OSMO = 0xee;
const IPA_EXT_CTRL = 0x00;

/** Sends `GET 1 <variable>` and resolves with the reply's text (`GET_REPLY …` or `ERROR …`). */
export function ctrlGet(host: string, port: number, variable: string, timeoutMs = 2_000): Promise<string> {
  return ctrlCommand(host, port, `GET 1 ${variable}`, timeoutMs);
}

/** Sends `SET 1 <variable> <value>` (an operator's change at the element) and resolves with the reply's text. */
export function ctrlSet(host: string, port: number, variable: string, value: string, timeoutMs = 2_000): Promise<string> {
  return ctrlCommand(host, port, `SET 1 ${variable} ${value}`, timeoutMs);
}

function ctrlCommand(host: string, port: number, command: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const text = Buffer.from(command, 'ascii');
    const frame = Buffer.concat([Buffer.from([0, 0, IPA_PROTO_OSMO, IPA_EXT_CTRL]), text]);
    frame.writeUInt16BE(text.length + 1, 0);
    const socket = net.connect({ host, port });
    let received = Buffer.alloc(0);
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no CTRL reply from ${host}:${port} within ${timeoutMs} ms`)));
    socket.once('error', reject);
    socket.once('connect', () => socket.write(frame));
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 2 || received.length < 3 + received.readUInt16BE(0)) return;
      socket.end();
      resolve(received.subarray(4, 3 + received.readUInt16BE(0)).toString('utf8'));
    });
  });
}
