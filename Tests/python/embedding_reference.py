"""The reference the native embedding engine is checked against: token ids from Hugging
Face's `tokenizers` (the model's own tokenizer.json, cut at 256 tokens as
sentence-transformers does) and a numpy forward pass of the BERT encoder over the same
safetensors weights, mean-pooled and normalised as sentence-transformers' pipeline for
all-MiniLM-L6-v2 ends.

    python embedding_reference.py MODEL_DIR SENTENCES_FILE > reference.json

Writes {"ids": [[...], ...], "vectors": [[...], ...]}. Lines of SENTENCES_FILE are
sentences with \\n, \\r and \\\\ escaped.
"""
import json
import math
import sys

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

model_dir, sentences_file = sys.argv[1], sys.argv[2]


def unescape(line):
    out, i = [], 0
    while i < len(line):
        if line[i] == "\\" and i + 1 < len(line):
            out.append({"n": "\n", "r": "\r", "\\": "\\"}.get(line[i + 1], line[i + 1]))
            i += 2
        else:
            out.append(line[i])
            i += 1
    return "".join(out)


sentences = [unescape(line.rstrip("\n")) for line in open(sentences_file, encoding="utf-8")]
tokenizer = Tokenizer.from_file(f"{model_dir}/tokenizer.json")
tokenizer.no_padding()
tokenizer.enable_truncation(max_length=256)
config = json.load(open(f"{model_dir}/config.json"))
w = load_file(f"{model_dir}/model.safetensors")
h, heads, eps = config["hidden_size"], config["num_attention_heads"], config["layer_norm_eps"]
d = h // heads


def erf(x):
    """The error function to 1.5e-7 (Abramowitz and Stegun 7.1.26), in float64."""
    sign = np.sign(x)
    x = np.abs(x)
    t = 1 / (1 + 0.3275911 * x)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1 - poly * np.exp(-x * x))


def layer_norm(x, name):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w[name + ".weight"] + w[name + ".bias"]


def linear(x, name):
    return x @ w[name + ".weight"].T + w[name + ".bias"]


def encode(ids):
    n = len(ids)
    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n] + w["embeddings.token_type_embeddings.weight"][0]
    x = layer_norm(x, "embeddings.LayerNorm")
    for i in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        q = linear(x, p + "attention.self.query").reshape(n, heads, d).transpose(1, 0, 2)
        k = linear(x, p + "attention.self.key").reshape(n, heads, d).transpose(1, 0, 2)
        v = linear(x, p + "attention.self.value").reshape(n, heads, d).transpose(1, 0, 2)
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(d)
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        scores /= scores.sum(-1, keepdims=True)
        context = (scores @ v).transpose(1, 0, 2).reshape(n, h)
        x = layer_norm(x + linear(context, p + "attention.output.dense"), p + "attention.output.LayerNorm")
        inner = linear(x, p + "intermediate.dense")
        inner = (0.5 * inner * (1 + erf(inner.astype(np.float64) / math.sqrt(2)))).astype(np.float32)
        x = layer_norm(x + linear(inner, p + "output.dense"), p + "output.LayerNorm")
    pooled = x.mean(0)
    return pooled / max(np.linalg.norm(pooled), 1e-12)


encodings = tokenizer.encode_batch(sentences)
ids = [e.ids for e in encodings]
vectors = [encode(np.array(i)).astype(float).round(7).tolist() for i in ids]
json.dump({"ids": ids, "vectors": vectors}, sys.stdout)
