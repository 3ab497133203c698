# busybox (Debian's static build): sh, wget, nc and friends, for workloads and HTTP probes;
# the root file system holds the applet links and an empty /tmp (mode 1777).
FROM scratch
COPY rootfs/ /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CMD ["sh"]
