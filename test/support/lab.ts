import fs from 'node:fs';
import path from 'node:path';
import { ctrlGet } from '../../src/demo/lab/osmo-ctrl.ts';

/** Where the lab's elements listen: what the server wrote to `<labDir>/elements.json` at start. */
export function labElements(labDir: string): { lab_hlr?: { ctrl_host: string; ctrl_port: number } } {
  return JSON.parse(fs.readFileSync(path.join(labDir, 'elements.json'), 'utf8'));
}

export interface HlrSubscriber {
  msisdn: string | undefined;
  csEnabled: boolean;
  psEnabled: boolean;
  k: string | undefined;
  opc: string | undefined;
}

/** A subscriber as the HLR's own CTRL interface shows it; undefined: the HLR has no such IMSI. */
export async function hlrSubscriber(labDir: string, imsi: string): Promise<HlrSubscriber | undefined> {
  const hlr = labElements(labDir).lab_hlr;
  if (!hlr) throw new Error('the lab runs no HLR');
  const reply = await ctrlGet(hlr.ctrl_host, hlr.ctrl_port, `subscriber.by-imsi-${imsi}.info-all`);
  if (/^ERROR 1 No such subscriber/.test(reply)) return undefined;
  if (!reply.startsWith('GET_REPLY 1 ')) throw new Error(`the HLR answered: ${reply}`);
  const fields = new Map(reply.split('\n').filter((line) => line.includes('\t')).map((line) => line.split('\t', 2) as [string, string]));
  return {
    msisdn: fields.get('msisdn'),
    csEnabled: fields.get('nam_cs') === '1',
    psEnabled: fields.get('nam_ps') === '1',
    k: fields.get('aud3g.k'),
    opc: fields.get('aud3g.opc'),
  };
}
