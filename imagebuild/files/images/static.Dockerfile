# A static binary and nothing else, as Kubernetes' own control-plane images.
FROM scratch
COPY bin/ /usr/local/bin/
ENV PATH=/usr/local/bin:/usr/bin:/bin
ARG ENTRYPOINT
USER ${USER:-0}
