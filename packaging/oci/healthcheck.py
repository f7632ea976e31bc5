#!/usr/bin/env python3
"""Adds the Docker-compatible health check to an OCI image's configuration in an OCI layout.

The OCI image specification has no health check, and umoci sets only OCI fields. Docker and Podman (docker format)
read config.Healthcheck: this writes it (a probe of the admin endpoint's /ready with bash's /dev/tcp, as the image
has no curl), then rewrites the manifest and index.json for the new digests. `umoci gc` removes the old blobs.

Usage: healthcheck.py LAYOUT TAG
"""
import hashlib
import json
import sys

SECOND_NS = 1_000_000_000
PROBE = ("exec 3<>/dev/tcp/127.0.0.1/15000 && printf 'GET /ready HTTP/1.0\\r\\n\\r\\n' >&3"
         " && read -r status <&3 && [[ $status == *' 200 '* ]]")


def blob_path(layout, digest):
    algorithm, value = digest.split(":", 1)
    return f"{layout}/blobs/{algorithm}/{value}"


def write_blob(layout, document):
    data = json.dumps(document, separators=(",", ":"), sort_keys=True).encode()
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    with open(blob_path(layout, digest), "wb") as out:
        out.write(data)
    return digest, len(data)


def main(layout, tag):
    with open(f"{layout}/index.json") as f:
        index = json.load(f)
    entry = next(d for d in index["manifests"]
                 if d.get("annotations", {}).get("org.opencontainers.image.ref.name") == tag)
    with open(blob_path(layout, entry["digest"])) as f:
        manifest = json.load(f)
    with open(blob_path(layout, manifest["config"]["digest"])) as f:
        config = json.load(f)

    config.setdefault("config", {})["Healthcheck"] = {
        "Test": ["CMD", "/bin/bash", "-c", PROBE],
        "Interval": 10 * SECOND_NS,
        "Timeout": 3 * SECOND_NS,
        "StartPeriod": 30 * SECOND_NS,
        "Retries": 3,
    }
    manifest["config"]["digest"], manifest["config"]["size"] = write_blob(layout, config)
    entry["digest"], entry["size"] = write_blob(layout, manifest)
    with open(f"{layout}/index.json", "w") as f:
        json.dump(index, f, separators=(",", ":"), sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
