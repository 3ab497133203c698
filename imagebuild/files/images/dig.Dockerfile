# The suite's DNS probe: Debian's dig (bind9-dnsutils) and glibc's resolver (`getent ahosts`);
# musl's resolver in two releases, one each side of its TCP fallback (1.2.4): resolve-musl-<version>,
# built here against Debian's musl; and dnsmasq, to count the queries a resolver sends. It idles
# until the suite execs commands.
FROM @DEBIAN_IMAGE@ AS musl-bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends musl-tools gcc
COPY resolve.c /src/resolve.c
RUN version=$(dpkg-query -W -f '${Version}' musl-dev | cut -d- -f1) \
 && mkdir -p /out && musl-gcc -static -Os -Wall -Werror -o /out/resolve-musl-$version /src/resolve.c

FROM @DEBIAN_IMAGE@ AS musl-trixie
RUN echo "deb http://deb.debian.org/debian trixie main" > /etc/apt/sources.list.d/trixie.list \
 && apt-get update \
 && apt-get install -y --no-install-recommends gcc \
 && apt-get install -y --no-install-recommends -t trixie musl-tools
COPY resolve.c /src/resolve.c
RUN version=$(dpkg-query -W -f '${Version}' musl-dev | cut -d- -f1) && mkdir -p /out \
 && musl-gcc -static -Os -Wall -Werror -o /out/resolve-musl-$version /src/resolve.c

FROM @DEBIAN_IMAGE@
RUN apt-get update \
 && apt-get install -y bind9-dnsutils dnsmasq-base \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
COPY --from=musl-bookworm /out/ /usr/local/bin/
COPY --from=musl-trixie /out/ /usr/local/bin/
CMD ["sleep", "infinity"]
