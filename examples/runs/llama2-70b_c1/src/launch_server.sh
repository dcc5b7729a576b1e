#!/bin/sh
# How the endpoint under test was served (Standardized division: the code must be disclosed).
exec example-serve --model meta-llama/Llama-2-70b-chat-hf --tensor-parallel-size 8 \
    --quantization fp8 --max-num-seqs 128 --port 8000
