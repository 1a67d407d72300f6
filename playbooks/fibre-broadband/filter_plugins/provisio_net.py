# Filter plugin next to the fibre-broadband playbooks (Ansible loads ./filter_plugins of the
# playbook's directory). ansible-core has no ipaddr filters (they are in the ansible.utils
# collection and need netaddr), so this computes what the DHCP reservation needs with the
# standard library's ipaddress module, for IPv4 and IPv6 blocks.
from __future__ import annotations

import ipaddress


def provisio_ip_block(value):
    """Describes a CIDR block: {valid, error, cidr, version, prefix_length, network, netmask, gateway}.

    The gateway is the first usable address: network + 1, except for point-to-point blocks
    (/31 IPv4, RFC 3021; /127 IPv6, RFC 6164), where it is the network address, and single
    addresses (/32, /128), where it is the address itself. Host bits must be zero. Never
    raises on bad input, so a playbook can assert on `valid` and report `error`.
    """
    text = str(value).strip()
    try:
        network = ipaddress.ip_network(text, strict=True)
    except (ValueError, TypeError) as e:
        return {'valid': False, 'error': f'not a CIDR block with host bits zero: {e}'}
    if '/' not in text:
        return {'valid': False, 'error': 'the prefix length is missing (expected e.g. 100.64.0.0/29)'}
    if network.num_addresses <= 2:
        gateway = network.network_address
    else:
        gateway = network.network_address + 1
    return {
        'valid': True,
        'error': '',
        'cidr': network.with_prefixlen,
        'version': network.version,
        'prefix_length': network.prefixlen,
        'network': str(network.network_address),
        'netmask': str(network.netmask),
        'gateway': str(gateway),
    }


class FilterModule:
    def filters(self):
        return {'provisio_ip_block': provisio_ip_block}
