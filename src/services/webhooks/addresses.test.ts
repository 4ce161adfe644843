import { describe, expect, it } from 'vitest';
import { checkHostAddresses, forbiddenReason } from './addresses.js';

describe('addresses a webhook may not reach', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['100.100.100.200', 'shared (carrier-grade NAT; also cloud metadata)'],
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['224.0.0.1', 'multicast'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fd00:ec2::254', 'unique local (private)'],
    ['fc00::1', 'unique local (private)'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback (IPv4 127.0.0.1 inside IPv6)'],
    ['::ffff:7f00:1', 'loopback (IPv4 127.0.0.1 inside IPv6)'],
    ['::ffff:0:7f00:1', 'loopback (IPv4 127.0.0.1 inside IPv6)'],
    ['::ffff:0:10.1.2.3', 'private (IPv4 10.1.2.3 inside IPv6)'],
    ['::ffff:169.254.169.254', 'link-local (cloud metadata) (IPv4 169.254.169.254 inside IPv6)'],
    ['::ffff:10.0.0.1', 'private (IPv4 10.0.0.1 inside IPv6)'],
    ['64:ff9b::a9fe:a9fe', 'link-local (cloud metadata) (IPv4 169.254.169.254 inside IPv6)'],
    ['2002:7f00:1::', 'loopback (IPv4 127.0.0.1 inside IPv6)'],
  ])('refuses %s (%s)', (address, reason) => {
    expect(forbiddenReason(address)).toBe(reason);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8', '2606:4700:4700::1111'])(
    'allows the public address %s',
    (address) => {
      expect(forbiddenReason(address)).toBeNull();
    },
  );

  it('refuses a host name that resolves to loopback, checked on the resolved address', async () => {
    await expect(checkHostAddresses('localhost')).rejects.toThrow(/localhost resolves to (127\.0\.0\.1|::1), a loopback address/);
    await expect(checkHostAddresses('[::1]')).rejects.toThrow(/loopback/);
  });
});
