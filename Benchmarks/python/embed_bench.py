"""Sentence embedding throughput of sentence-transformers on CPU, the reference for the
native engine: python embed_bench.py MODEL_DIR SENTENCES_FILE BATCH_SIZE encodes every line
once (after one warm-up batch) and prints one JSON line like EmbedBench's."""
import json
import sys
import time

import torch
from sentence_transformers import SentenceTransformer

model_dir, sentences_file, batch = sys.argv[1], sys.argv[2], int(sys.argv[3])
sentences = [line.rstrip("\n") for line in open(sentences_file, encoding="utf-8") if line.strip()]
model = SentenceTransformer(model_dir, device="cpu")
model.encode(sentences[:batch], batch_size=batch)
start = time.perf_counter()
vectors = model.encode(sentences, batch_size=batch, normalize_embeddings=True)
seconds = time.perf_counter() - start
assert len(vectors) == len(sentences)
print(json.dumps({"tool": "sentence-transformers", "seconds": seconds, "sentences": len(sentences), "per_second": len(sentences) / seconds,
                  "batch": batch, "torch_threads": torch.get_num_threads()}))
