#!/bin/sh
# How the example points were measured (one run per concurrency).
for c in "$@"; do inference-endpoint run --config point_$c.yaml; done
