# Multi-stage build: a release binary on a slim runtime with libpq.
#   docker build -t pledgewatch .
FROM swift:6.2-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq-dev zlib1g-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Schema ./Schema
COPY Tests ./Tests
RUN swift build -c release --product pledgewatch --static-swift-stdlib \
 && install -D "$(swift build -c release --show-bin-path)/pledgewatch" /out/pledgewatch

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 zlib1g libcurl4 libxml2 ca-certificates curl tzdata \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/pledgewatch /usr/local/bin/pledgewatch
# The dashboard volume's mount point, writable by the user the container runs as (an empty named volume
# takes this ownership when first mounted; created by Docker, it would be root's and export would exit 73).
RUN install -d -o nobody -g nogroup /srv/dashboard
USER nobody
EXPOSE 8080
ENTRYPOINT ["pledgewatch"]
CMD ["serve", "--listen", "0.0.0.0:8080"]
