#!/usr/bin/python3
"""Reference timings from faiss for `postrvq bench quantize`, on data of the same size and distribution.

Times faiss's k-means (one codebook), ResidualQuantizer training (greedy, beam 1, like PostRvq's RVQ),
ResidualQuantizer encoding (compute_codes) and an exact IndexFlatL2 nearest-code search, with the same
k-means settings as PostRvq (25 iterations, at most 256 points per centroid). Medians of --repeats runs
for search and encode; fits run --fit-repeats times.

Needs Debian's python3-faiss and python3-numpy (apt-get install python3-faiss); PostRvq itself never needs Python.
Debian's default BLAS is the unoptimised reference one, which makes faiss's searches about 10x slower: install
libopenblas0-pthread first for a fair comparison.
Note: faiss seeds k-means with random points, PostRvq with k-means++, so fit times are comparable but not identical work.
"""
import argparse
import statistics
import time

import faiss
import numpy as np


def anisotropic_data(n, d, seed):
    """Gaussian vectors whose principal axes have scales falling from 1 to 1/20, in a random rotation."""
    rng = np.random.default_rng(seed)
    scales = np.exp(np.linspace(0.0, -np.log(20.0), d))
    rotation, _ = np.linalg.qr(rng.standard_normal((d, d)))
    return np.ascontiguousarray((rng.standard_normal((n, d)) * scales) @ rotation, dtype=np.float32)


def median_seconds(repeats, action):
    times = []
    result = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def residual_quantizer(d, stages, bits, iterations):
    rq = faiss.ResidualQuantizer(d, stages, bits)
    rq.train_type = faiss.ResidualQuantizer.Train_default
    rq.max_beam_size = 1
    rq.cp.niter = iterations
    rq.cp.max_points_per_centroid = 256
    rq.cp.seed = 0
    return rq


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--stages", type=int, default=8)
    parser.add_argument("--codes", type=int, default=1024)
    parser.add_argument("--iterations", type=int, default=25)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--fit-repeats", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    bits = int(np.log2(args.codes))
    if 2 ** bits != args.codes:
        parser.error("--codes must be a power of two for faiss's ResidualQuantizer")
    faiss.omp_set_num_threads(args.threads)
    x = anisotropic_data(args.n, args.dim, seed=0)
    codebook = np.ascontiguousarray(x[: args.codes])
    flops = 2.0 * args.n * args.codes * args.dim
    print(f"faiss {faiss.__version__}, {args.n:,} anisotropic vectors x {args.dim} dims, {args.threads} threads; "
          f"medians of {args.repeats} repeat(s), fits of {args.fit_repeats}")

    index = faiss.IndexFlatL2(args.dim)
    index.add(codebook)
    search, _ = median_seconds(args.repeats, lambda: index.search(x, 1))
    print(f"IndexFlatL2 nearest-code search: {search:.3f} s = {flops / search / 1e9:.1f} GFLOP/s")

    def fit_kmeans():
        kmeans = faiss.Kmeans(args.dim, args.codes, niter=args.iterations, max_points_per_centroid=256, seed=0)
        kmeans.train(x)
        return kmeans.obj[-1] / args.n

    kmeans, mse = median_seconds(args.fit_repeats, fit_kmeans)
    print(f"k-means fit, {args.codes} codes, {args.iterations} iterations: {kmeans:.2f} s (MSE {mse:.4g})")

    def fit_rq():
        rq = residual_quantizer(args.dim, args.stages, bits, args.iterations)
        rq.train(x)
        return rq

    fit, rq = median_seconds(args.fit_repeats, fit_rq)
    print(f"ResidualQuantizer train, {args.stages} x {args.codes} codes: {fit:.2f} s")
    encode, codes = median_seconds(args.repeats, lambda: rq.compute_codes(x))
    reconstruction = rq.decode(codes)
    mse = float(np.mean(np.sum((x - reconstruction) ** 2, axis=1)))
    print(f"ResidualQuantizer encode (compute_codes): {encode:.3f} s = {args.n / encode:,.0f} vectors/s (MSE {mse:.4g})")


if __name__ == "__main__":
    main()
