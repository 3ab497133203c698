# A stand-in for upstream's glibc DNS test image (formerly jessie-dnsutils): Debian with dig.
FROM @DEBIAN_IMAGE@
RUN apt-get update \
 && apt-get install -y bind9-dnsutils \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
COPY bin/ /
