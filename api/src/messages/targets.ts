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
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) blocked.addSubnet(net, prefix, 'ipv6');

/** Loopback, private (RFC 1918, unique local, carrier-grade NAT), link-local, multicast or unspecified. */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return isPrivateAddress(mapped[1]!);
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family === 6) return blocked.check(address, 'ipv6');
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
