# A stand-in for upstream's agnhost test image, built from Kubernetes' own agnhost source: the
# binary at /agnhost (pause by default), the tools upstream's DNS probers and StatefulSet checks
# run inside it (sh, seq, dig, getent, hostname, dd, find), CoreDNS at /coredns for the
# resolv.conf and stub-domain checks, and the porter certificate its readiness probes fetch.
FROM @DEBIAN_IMAGE@
RUN apt-get update \
 && apt-get install -y bind9-dnsutils procps iproute2 \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
COPY bin/ /
RUN ln -s agnhost /agnhost-2 && mkdir /uploads
ENTRYPOINT ["/agnhost"]
CMD ["pause"]
