using System.CommandLine;
using PostRvq.Cli.Bench;
using PostRvq.Quantization;
using Spectre.Console;
using static TorchSharp.torch;

namespace PostRvq.Cli.Commands;

/// <summary>
/// <c>postrvq bench quantize</c>: times k-means, RVQ fit and encode, and the nearest-code search against the machine's
/// sgemm rate and against the naive references in <c>Bench/</c>, and checks that both find the same codes.
/// </summary>
static class BenchQuantizeCommand
{
    public static Command Create()
    {
        var n = new Option<int>("--n") { Description = "Vectors", DefaultValueFactory = _ => 200_000 };
        var dim = new Option<int>("--dim") { Description = "Dimensions", DefaultValueFactory = _ => 64 };
        var stages = new Option<int>("--stages") { Description = "RVQ stages", DefaultValueFactory = _ => 8 };
        var codes = new Option<int>("--codes") { Description = "Entries per codebook", DefaultValueFactory = _ => 1024 };
        var iterations = new Option<int>("--iterations") { Description = "k-means iterations", DefaultValueFactory = _ => 25 };
        var repeats = new Option<int>("--repeats") { Description = "Repeats of each search and encode timing (median reported)", DefaultValueFactory = _ => 3 };
        var fitRepeats = new Option<int>("--fit-repeats") { Description = "Repeats of each fit timing (fits take minutes at full size)", DefaultValueFactory = _ => 1 };
        var referenceN = new Option<int>("--reference-n")
        {
            Description = "Vectors the naive reference is timed on; its times are scaled linearly to --n (every step of it is linear in N)",
            DefaultValueFactory = _ => 10_000,
        };
        var threads = ThreadsOption.Create(defaultThreads: 2);
        var command = new Command("quantize", "k-means, RVQ fit and encode speed; nearest-code GFLOP/s against sgemm and a naive reference")
        {
            n, dim, stages, codes, iterations, repeats, fitRepeats, referenceN, threads,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            ThreadsOption.Apply(parse, threads);
            var (count, d, k, nq) = (parse.GetValue(n), parse.GetValue(dim), parse.GetValue(codes), parse.GetValue(stages));
            var (times, fitTimes, iters) = (parse.GetValue(repeats), parse.GetValue(fitRepeats), parse.GetValue(iterations));
            var referenceCount = Math.Min(count, parse.GetValue(referenceN));
            if (count < k || d < 1 || nq < 1 || times < 1 || fitTimes < 1 || iters < 1)
                throw new ArgumentException("--n must be at least --codes, and every other option positive");
            if (referenceCount < k) throw new ArgumentException($"--reference-n must be at least --codes ({k}), got {referenceCount}");
            // The naive reference moves N·K·D floats through memory per search, which takes minutes at full size,
            // so it runs on the first referenceCount vectors and its times are scaled by N / referenceCount.
            var scale = (double)count / referenceCount;
            // Plain console output: a Spectre line would wrap at the terminal's width.
            Console.WriteLine($"{count:N0} anisotropic vectors × {d} dims, {get_num_threads()} threads; medians of {times} repeat(s), fits of {fitTimes}; "
                + $"naive reference timed on {referenceCount:N0} vectors and scaled ×{scale:G3}");
            using var data = AnisotropicData(count, d, seed: 0);
            using var referenceData = data.narrow(0, 0, referenceCount);
            using var codebook = data.narrow(0, 0, k).clone();
            var flops = 2.0 * count * k * d;
            var table = new Table().Border(TableBorder.Rounded).AddColumns("measure", "PostRvq (median)", "naive reference (subsample, scaled)", "reference / PostRvq");
            // Each figure is printed as soon as it is measured: a full-size run takes many minutes.
            void Row(string measure, string ours, string reference = "", string ratio = "")
            {
                table.AddRow(Markup.Escape(measure), Markup.Escape(ours), Markup.Escape(reference), ratio);
                Console.WriteLine(string.Join(" | ", new[] { measure, ours, reference, ratio }.Where(f => f.Length > 0)));
            }

            var sgemm = BenchClock.MedianSeconds(times, () => ChunkedMatrixProduct(data, codebook));
            var search = BenchClock.MedianSeconds(times, () =>
            {
                var (indices, distances) = NearestCode.Search(data, codebook);
                indices.Dispose();
                distances.Dispose();
            });
            var naive = scale * BenchClock.MedianSeconds(times, () => NaiveNearestCode.Search(referenceData, codebook).Dispose());
            using (var scope = NewDisposeScope())
            {
                var ours = NearestCode.Search(referenceData, codebook).Indices;
                var theirs = NaiveNearestCode.Search(referenceData, codebook);
                Row("nearest code agreement", $"{ours.eq(theirs).to_type(ScalarType.Float64).mean().item<double>():P3}");
            }
            Row($"plain mm, {count:N0}×{d} by {d}×{k} (sgemm)", $"{sgemm:F3} s = {flops / sgemm / 1e9:F1} GFLOP/s");
            Row("nearest-code search", $"{search:F3} s = {flops / search / 1e9:F1} GFLOP/s ({sgemm / search:P0} of sgemm)",
                $"{naive:F3} s = {flops / naive / 1e9:F1} GFLOP/s", $"{naive / search:F2}");

            var kmeansOptions = new KMeansOptions { Clusters = k, Iterations = iters };
            double kmeansMse = 0, naiveMse = 0;
            var kmeansIterations = 0;
            var kmeans = BenchClock.MedianSeconds(fitTimes, () =>
            {
                var fit = KMeans.Fit(data, kmeansOptions);
                (kmeansMse, kmeansIterations) = (fit.MeanSquaredError, fit.Iterations);
                fit.Centroids.Dispose();
            });
            // Same work for the reference: as many Lloyd iterations as the fit ran (it stops early on convergence),
            // over as many points as it used (at most MaxPointsPerCluster per centroid).
            var fitPoints = Math.Min(count, (long)kmeansOptions.MaxPointsPerCluster * k);
            var naiveKmeans = (double)fitPoints / referenceCount
                * BenchClock.MedianSeconds(fitTimes, () => naiveMse = NaiveKMeans.Fit(referenceData, k, kmeansIterations, seed: 0));
            Row($"k-means fit, {k} codes, at most {iters} iterations, on {fitPoints:N0} points",
                $"{kmeans:F2} s, {kmeansIterations} iterations with k-means++ seeding (MSE {kmeansMse:G4})",
                $"{naiveKmeans:F2} s, {kmeansIterations} iterations (MSE {naiveMse:G4} on its {referenceCount:N0})", $"{naiveKmeans / kmeans:F2}");

            ResidualVectorQuantizer rvq = null!;
            var rvqFit = BenchClock.MedianSeconds(fitTimes, () =>
            {
                rvq = new ResidualVectorQuantizer(d, new RvqOptions { Codebooks = nq, CodebookSize = k, KMeans = kmeansOptions });
                rvq.Fit(data);
            });
            Row($"RVQ fit, {nq} × {k} codes", $"{rvqFit:F2} s (MSE {rvq.FitErrors[^1]:G4})");
            var encode = BenchClock.MedianSeconds(times, () => rvq.EncodeFrames(data).Dispose());
            var naiveEncode = scale * BenchClock.MedianSeconds(times, () => NaiveRvqEncode.Encode(referenceData, rvq.StageCodebooks).Dispose());
            using (var ours = rvq.EncodeFrames(referenceData))
            using (var theirs = NaiveRvqEncode.Encode(referenceData, rvq.StageCodebooks))
                Row("RVQ code agreement", $"{ours.eq(theirs).to_type(ScalarType.Float64).mean().item<double>():P3}");
            Row("RVQ encode", $"{count / encode:N0} vectors/s", $"{count / naiveEncode:N0} vectors/s", $"{naiveEncode / encode:F2}");
            AnsiConsole.Write(table);
            return 0;
        }));
        return command;
    }

    /// <summary>Gaussian vectors [n, d] whose principal axes have scales falling from 1 to 1/20, in a random rotation.</summary>
    static Tensor AnisotropicData(int count, int dimension, int seed)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator((ulong)seed);
        var scales = exp(linspace(0, -Math.Log(20), dimension));
        var (rotation, _) = linalg.qr(randn(dimension, dimension, generator: generator));
        return (randn(count, dimension, generator: generator) * scales).mm(rotation).MoveToOuterDisposeScope();
    }

    /// <summary>The sgemm of the search alone: x [N, D] · cᵀ in chunks of the search's size, results discarded.</summary>
    static void ChunkedMatrixProduct(Tensor data, Tensor codebook)
    {
        using var transposed = codebook.t();
        var chunk = NearestCode.ChunkFor(codebook.shape[0]);
        for (long start = 0; start < data.shape[0]; start += chunk)
        {
            using var block = data.narrow(0, start, Math.Min(chunk, data.shape[0] - start));
            using var product = block.mm(transposed);
        }
    }
}
