# The suite's DNS probe: Debian's dig (bind9-dnsutils), idling until the suite execs queries.
FROM @DEBIAN_IMAGE@
RUN apt-get update \
 && apt-get install -y bind9-dnsutils \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
CMD ["sleep", "infinity"]
