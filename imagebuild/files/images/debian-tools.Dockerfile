# Debian with the packet-filtering tools kube-proxy and flannel call (iptables, nft, conntrack).
FROM @DEBIAN_IMAGE@
RUN apt-get update \
 && apt-get install -y iptables nftables conntrack ipset kmod iproute2 \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
COPY bin/ /usr/local/bin/
