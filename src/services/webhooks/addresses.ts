import dns from 'node:dns';
import net from 'node:net';

/**
 * Which addresses a webhook may not reach: anything that is not the public internet. A webhook URL
 * is chosen by an API user, and the service sits next to PostgreSQL, Redis and a cloud metadata
 * endpoint; without this check a URL could make the service call them.
 */
const forbiddenIPv4: Array<[string, number, string]> = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'shared (carrier-grade NAT; also cloud metadata)'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local (cloud metadata)'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

const forbiddenIPv6: Array<[string, number, string]> = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['100::', 64, 'discard'],
  ['fc00::', 7, 'unique local (private)'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local'],
  ['ff00::', 8, 'multicast'],
];

/** The eight 16-bit groups of an IPv6 address, including the dotted-quad tail forms. */
function ipv6Groups(address: string): number[] {
  let text = address.split('%')[0].toLowerCase();
  const dotted = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (dotted) {
    const [a, b, c, d] = dotted[1].split('.').map(Number);
    text = `${text.slice(0, -dotted[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, null];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = tail === null ? headGroups : [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups];
  return groups.map((group) => parseInt(group, 16));
}

/** The forbidden ranges as node's own subnet matcher (net.BlockList), one per reason. */
const forbidden = [
  ...forbiddenIPv4.map(([base, bits, reason]) => ({ family: 4, reason, list: subnet(base, bits, 'ipv4') })),
  ...forbiddenIPv6.map(([base, bits, reason]) => ({ family: 6, reason, list: subnet(base, bits, 'ipv6') })),
];

function subnet(base: string, bits: number, family: 'ipv4' | 'ipv6'): net.BlockList {
  const list = new net.BlockList();
  list.addSubnet(base, bits, family);
  return list;
}

function rangeReason(address: string, family: 4 | 6): string | null {
  return forbidden.find((range) => range.family === family && range.list.check(address, family === 4 ? 'ipv4' : 'ipv6'))?.reason ?? null;
}

/** The IPv4 address an IPv6 address carries: mapped (::ffff:a.b.c.d), translated (::ffff:0:a.b.c.d), compatible (::a.b.c.d), NAT64, 6to4. */
function embeddedIPv4(groups: number[]): string | null {
  const quad = (high: number, low: number) => `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  const zeros = (from: number, to: number) => groups.slice(from, to).every((group) => group === 0);
  if (zeros(0, 5) && groups[5] === 0xffff) return quad(groups[6], groups[7]);
  if (zeros(0, 4) && groups[4] === 0xffff && groups[5] === 0) return quad(groups[6], groups[7]);
  if (zeros(0, 6) && (groups[6] !== 0 || groups[7] > 1)) return quad(groups[6], groups[7]);
  if (groups[0] === 0x64 && groups[1] === 0xff9b && zeros(2, 6)) return quad(groups[6], groups[7]);
  if (groups[0] === 0x2002) return quad(groups[1], groups[2]);
  return null;
}

/** Why an address may not be called, or null when it is a public address. */
export function forbiddenReason(address: string): string | null {
  const family = net.isIP(address);
  if (family === 4) {
    if (address === '255.255.255.255') return 'broadcast';
    return rangeReason(address, 4);
  }
  if (family === 6) {
    const groups = ipv6Groups(address);
    const embedded = embeddedIPv4(groups);
    if (embedded) {
      const reason = forbiddenReason(embedded);
      return reason ? `${reason} (IPv4 ${embedded} inside IPv6)` : null;
    }
    return rangeReason(address.split('%')[0], 6);
  }
  return 'not an IP address';
}

export class ForbiddenAddressError extends Error {
  readonly code = 'WEBHOOK_ADDRESS_REFUSED';
  constructor(
    readonly host: string,
    readonly address: string,
    readonly reason: string,
  ) {
    super(`${host} resolves to ${address}, a ${reason} address; set WEBHOOK_ALLOW_PRIVATE=true to allow it`);
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * A `lookup` for node's http/https requests: the socket connects to the address returned here, so
 * checking it here checks the address actually connected to (a DNS answer cannot change between
 * check and use). Every answer must be public, since the socket may try any of them.
 */
export function guardedLookup(hostname: string, options: dns.LookupOptions, callback: LookupCallback): void {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    for (const { address } of addresses) {
      const reason = forbiddenReason(address);
      if (reason) return callback(new ForbiddenAddressError(hostname, address, reason) as unknown as NodeJS.ErrnoException, []);
    }
    if (options.all) return callback(null, addresses);
    const first = addresses[0];
    if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
    callback(null, first.address, first.family);
  });
}

/** Resolves a URL's host and refuses it when any of its addresses is not public (registration time). */
export async function checkHostAddresses(hostname: string): Promise<void> {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host)) {
    const reason = forbiddenReason(host);
    if (reason) throw new ForbiddenAddressError(host, host, reason);
    return;
  }
  const addresses = await dns.promises.lookup(host, { all: true });
  for (const { address } of addresses) {
    const reason = forbiddenReason(address);
    if (reason) throw new ForbiddenAddressError(host, address, reason);
  }
}
