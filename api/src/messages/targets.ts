// Outgoing targets (DESIGN.md): SMTP servers and HTTP gateways may not be loopback, private or
// link-local addresses unless KARTU_ALLOW_PRIVATE_TARGETS=on. Every address a host name resolves to
// is checked, when a transport is saved and again when each message is sent; HTTP requests connect
// to the address that was checked (no second look-up a rebinding DNS server could answer differently).
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { promises as dns } from 'node:dns';
import { BlockList, isIP } from 'node:net';

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [['::', 128], ['::1', 128], ['64:ff9b:1::', 48], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8]] as const) blocked.addSubnet(net, prefix, 'ipv6');

/** An IPv6 address as its eight 16-bit groups (a trailing dotted quad is two groups). */
function groupsOf(address: string): number[] {
  let text = address.replace(/%.*$/, '');
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') as [string, string] : [text, null];
  const parse = (part: string) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const front = parse(head);
  const back = tail === null ? [] : parse(tail);
  return [...front, ...Array(8 - front.length - back.length).fill(0), ...back];
}

const v4Of = (high: number, low: number) => `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;

/**
 * The IPv4 address an IPv6 one carries to an IPv4 host: IPv4-compatible (::a.b.c.d), NAT64
 * (64:ff9b::/96, which a NAT64 gateway forwards to private IPv4 hosts too) and 6to4 (2002::/16).
 */
function embeddedV4(address: string): string | null {
  const g = groupsOf(address);
  if (g.length !== 8 || g.some((n) => !Number.isInteger(n))) return null;
  if (g.slice(0, 6).every((n) => n === 0) && (g[6] || g[7] > 1)) return v4Of(g[6]!, g[7]!);
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((n) => n === 0)) return v4Of(g[6]!, g[7]!);
  if (g[0] === 0x2002) return v4Of(g[1]!, g[2]!);
  return null;
}

/** Loopback, private (RFC 1918, unique local, carrier-grade NAT), link-local, multicast or unspecified. */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return isPrivateAddress(mapped[1]!);
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family === 6) {
    const v4 = embeddedV4(address);
    return blocked.check(address, 'ipv6') || (v4 !== null && blocked.check(v4, 'ipv4'));
  }
  return true;
}

export class TargetRefused extends Error {}

const refusal = (host: string, address: string) =>
  new TargetRefused(`${host} resolves to ${address}, a loopback, private or link-local address (set KARTU_ALLOW_PRIVATE_TARGETS=on to allow)`);

/** Resolves a host and checks every address; answers them (the first is the one to connect to). */
export async function checkedAddresses(host: string, allowPrivate: boolean): Promise<LookupAddress[]> {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  let addresses: LookupAddress[];
  if (isIP(bare)) {
    addresses = [{ address: bare, family: isIP(bare) }];
  } else {
    try {
      addresses = await dns.lookup(bare, { all: true, verbatim: true });
    } catch (error) {
      throw new TargetRefused(`${host} does not resolve (${(error as NodeJS.ErrnoException).code ?? 'lookup failed'})`);
    }
    if (!addresses.length) throw new TargetRefused(`${host} does not resolve`);
  }
  if (!allowPrivate) {
    const bad = addresses.find((a) => isPrivateAddress(a.address));
    if (bad) throw refusal(host, bad.address);
  }
  return addresses;
}

/** A `lookup` for http.request that refuses private addresses (used for names; IP literals are checked before). */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: { all?: boolean }, callback: (...args: any[]) => void) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => {
      if (error) return callback(error);
      const bad = allowPrivate ? undefined : addresses.find((a) => isPrivateAddress(a.address));
      if (bad) return callback(refusal(hostname, bad.address));
      if (!addresses.length) return callback(new TargetRefused(`${hostname} does not resolve`));
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}
