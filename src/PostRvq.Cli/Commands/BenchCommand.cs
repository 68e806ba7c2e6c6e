using System.CommandLine;
using System.Diagnostics;
using PostRvq.Audio;
using PostRvq.Codecs;
using PostRvq.Native;
using PostRvq.Nn;
using PostRvq.Quantization;
using PostRvq.Training;
using Spectre.Console;
using static TorchSharp.torch;

namespace PostRvq.Cli.Commands;

/// <summary>
/// <c>postrvq bench</c>: speed and memory figures that do not belong in timed tests. <c>train</c> measures
/// training steps/s (reconstruction-only and adversarial), their FLOPs and GFLOP/s against the machine's sgemm rate, and
/// the real-time factor of encode+decode;
/// <c>memory</c> trains for many steps and samples the resident set size, to show that native memory stays flat;
/// <c>quantize</c> times k-means, RVQ fit and encode, and the nearest-code search against the machine's sgemm rate
/// and against a naive broadcast-distance reference written here.
/// </summary>
static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Benchmarks: training speed, real-time factor, memory over many steps, quantizer speed");
        bench.Subcommands.Add(TrainBench());
        bench.Subcommands.Add(MemoryBench());
        bench.Subcommands.Add(QuantizeBench());
        return bench;
    }

    static (Option<string> Config, Option<int> Steps, Option<int?> Threads) CommonOptions(string defaultConfig, int defaultSteps) => (
        new Option<string>("--config") { Description = "Preset or config file", DefaultValueFactory = _ => defaultConfig },
        new Option<int>("--steps") { Description = "Steps to measure", DefaultValueFactory = _ => defaultSteps },
        ThreadsOption.Create(defaultThreads: 2));

    static Command TrainBench()
    {
        var (config, steps, threads) = CommonOptions("tiny-cpu", 20);
        var rtfSeconds = new Option<double>("--rtf-seconds") { Description = "Length of the clip for the real-time factor", DefaultValueFactory = _ => 10.0 };
        var batchSize = new Option<int?>("--batch-size") { Description = "Override training.batchSize (paper-44k's 72 is for a GPU)" };
        var convolutions = new Option<string>("--convolutions")
        {
            Description = "auto: what the trainer chooses; onednn: oneDNN on even where inexact (timing only); native: ATen's kernels",
            DefaultValueFactory = _ => "auto",
        };
        convolutions.AcceptOnlyFromAmong("auto", "onednn", "native");
        var set = ConfigSetOption.Create();
        var command = new Command("train", "Training steps/s, FLOPs per step against sgemm, and encode+decode real-time factor")
        {
            config, steps, threads, rtfSeconds, batchSize, convolutions, set,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            ThreadsOption.Apply(parse, threads);
            var experiment = ExperimentConfig.Load(parse.GetValue(config)!, parse.GetValue(set));
            if (parse.GetValue(batchSize) is { } b) experiment = experiment with { Training = experiment.Training with { BatchSize = b } };
            experiment.Validate();
            var n = parse.GetValue(steps);
            var mode = parse.GetValue(convolutions)!;
            // The trainer never turns oneDNN back on once it is off, so "native" holds for every trainer below.
            if (mode == "native") LibTorchCpu.UseExactConvolutions();
            var seconds = new[] { false, true }.ToDictionary(adversarial => adversarial, adversarial => TimedSteps(
                experiment with { Training = experiment.Training with { Adversarial = adversarial, AdversarialWarmupSteps = 0 } }, n, mode == "onednn"));
            // Counted after the trainers have set LibTorch's convolutions, so the count runs on the kernels they chose.
            var flops = TrainingStepFlops.For(experiment);
            var sgemm = SgemmFlopsPerSecond();
            var table = new Table().Border(TableBorder.Rounded).AddColumns("measure", "median", "unit");
            table.AddRow("generator forward G (conv + linear + MDCT)", Gflop(flops.Generator), "GFLOP per batch");
            table.AddRow("discriminators forward D (conv)", Gflop(flops.Discriminators), "GFLOP per batch");
            foreach (var (adversarial, stepSeconds) in seconds)
            {
                var name = adversarial ? "adversarial step" : "reconstruction-only step";
                var stepFlops = adversarial ? flops.AdversarialStep : flops.ReconstructionStep;
                table.AddRow(Markup.Escape(adversarial ? $"{name} FLOPs, 3·G + 9·D [D step 3·2D; G pass: D(real) no-grad D + D(fake) fwd + input grad 2D]" : $"{name} FLOPs, 3·G [fwd + bwd = 3× fwd]"),
                    $"{stepFlops / 1e9:F2}", "GFLOP/step");
                if (stepSeconds is not { } t)
                {
                    table.AddRow(name, "diverged", "NaN or infinite gradients");
                    continue;
                }
                table.AddRow(name, $"{t:F3}", "s/step");
                table.AddRow(name.Replace("step", "rate"), $"{1 / t:F3}", "steps/s");
                table.AddRow($"{name} achieved", $"{stepFlops / t / 1e9:F2}", $"GFLOP/s = {stepFlops / t / sgemm:P1} of sgemm");
            }
            table.AddRow("sgemm, 1024×1024 by 1024×1024 (median of 7)", $"{sgemm / 1e9:F1}", "GFLOP/s");
            var rtf = RealTimeFactor(experiment, parse.GetValue(rtfSeconds));
            table.AddRow("encode+decode real-time factor", $"{rtf:F4}", "s per s of audio");
            table.AddRow("encode+decode speed", $"{1 / rtf:F0}", "× faster than real time");
            table.AddRow("peak RSS", $"{Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0}", "MB");
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(experiment.Name)}[/], batch {experiment.Training.BatchSize} × {experiment.Training.CropSeconds} s, "
                + $"{get_num_threads()} threads, {n} measured steps each; {Markup.Escape(ConvolutionsInUse(mode))}");
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine("FLOPs are 2 × multiply-adds of Conv1d/ConvTranspose1d/Conv2d/Linear and the MDCT's basis products, counted from layer shapes; "
                + "losses, STFTs, norms and activations are not counted, so achieved GFLOP/s is a lower bound.");
            return 0;
        }));
        return command;
    }

    /// <summary>Median seconds per step, or null if training diverged (as oneDNN's wrong gradients can make it).</summary>
    static double? TimedSteps(ExperimentConfig config, int steps, bool forceOneDnn)
    {
        try
        {
            return MedianStepSeconds(config, steps, forceOneDnn);
        }
        catch (TrainingDivergedException)
        {
            return null;
        }
    }

    static string ConvolutionsInUse(string mode) => mode switch
    {
        "onednn" => "convolutions: oneDNN forced on (timing only; gradients may be wrong)",
        _ => CpuConvolutions.Current?.Summary ?? "convolutions: LibTorch default",
    };

    static string Gflop(ForwardFlops flops) =>
        $"{flops.Total / 1e9:F3} ({flops.Convolution / 1e9:F3} + {flops.Linear / 1e9:F3} + {flops.Mdct / 1e9:F3})";

    /// <summary>Median FLOP/s of a 1024³ float32 matrix product with the current thread count, after one warm-up.</summary>
    static double SgemmFlopsPerSecond()
    {
        const int size = 1024;
        using var a = randn(size, size);
        using var b = randn(size, size);
        a.mm(b).Dispose();
        return 2.0 * size * size * size / Median(7, () => a.mm(b).Dispose());
    }

    static Command MemoryBench()
    {
        var (config, steps, threads) = CommonOptions("bench-tiny", 2000);
        var every = new Option<int>("--every") { Description = "Sample RSS every N steps", DefaultValueFactory = _ => 100 };
        var csv = new Option<string?>("--csv") { Description = "Write step,rss_mb rows to this file" };
        var command = new Command("memory", "Resident memory over many training steps") { config, steps, threads, every, csv };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            ThreadsOption.Apply(parse, threads);
            if (parse.GetValue(csv) is { } csvPath) new OutputGuard().ReadsFile("--config", parse.GetValue(config), "config").WritesFile("--csv", csvPath);
            var experiment = ExperimentConfig.Load(parse.GetValue(config)!);
            var total = parse.GetValue(steps);
            var interval = parse.GetValue(every);
            experiment = experiment with { Training = experiment.Training with { Steps = total, ValidateEvery = total, CheckpointEvery = total } };
            var run = TempRunFolder();
            var samples = new List<(long Step, double Mb)>();
            var process = Process.GetCurrentProcess();
            var clock = Stopwatch.StartNew();
            using (var trainer = SyntheticTrainer(experiment, run))
                trainer.Run(new SynchronousProgress<TrainStep>(step =>
                {
                    if (step.IsValidation || step.Step % interval != 0) return;
                    process.Refresh();
                    samples.Add((step.Step, process.WorkingSet64 / 1048576.0));
                    Console.WriteLine($"step {step.Step,6}  RSS {samples[^1].Mb,8:F1} MB  {step.StepsPerSecond:F2} steps/s");
                }));
            Directory.Delete(run, recursive: true);
            var secondHalf = samples.Where(s => s.Step > total / 2).ToList();
            var slope = Slope(secondHalf) * 1000;
            AnsiConsole.MarkupLine($"{total} steps in {clock.Elapsed:hh\\:mm\\:ss}; RSS min {samples.Min(s => s.Mb):F0} MB, max {samples.Max(s => s.Mb):F0} MB, "
                + $"end {samples[^1].Mb:F0} MB; trend over the second half {slope:+0.0;-0.0} MB per 1,000 steps; peak {process.PeakWorkingSet64 / 1048576.0:F0} MB");
            if (parse.GetValue(csv) is { } path)
                IO.AtomicFile.WriteAllText(path, "step,rss_mb\n" + string.Join('\n', samples.Select(s => $"{s.Step},{s.Mb:F1}")) + '\n');
            return 0;
        }));
        return command;
    }

    static Command QuantizeBench()
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

            var sgemm = Median(times, () => ChunkedMatrixProduct(data, codebook));
            var search = Median(times, () =>
            {
                var (indices, distances) = NearestCode.Search(data, codebook);
                indices.Dispose();
                distances.Dispose();
            });
            var naive = scale * Median(times, () => NaiveNearest(referenceData, codebook).Dispose());
            using (var scope = NewDisposeScope())
            {
                var ours = NearestCode.Search(referenceData, codebook).Indices;
                var theirs = NaiveNearest(referenceData, codebook);
                Row("nearest code agreement", $"{ours.eq(theirs).to_type(ScalarType.Float64).mean().item<double>():P3}");
            }
            Row($"plain mm, {count:N0}×{d} by {d}×{k} (sgemm)", $"{sgemm:F3} s = {flops / sgemm / 1e9:F1} GFLOP/s");
            Row("nearest-code search", $"{search:F3} s = {flops / search / 1e9:F1} GFLOP/s ({sgemm / search:P0} of sgemm)",
                $"{naive:F3} s = {flops / naive / 1e9:F1} GFLOP/s", $"{naive / search:F2}");

            var kmeansOptions = new KMeansOptions { Clusters = k, Iterations = iters };
            double kmeansMse = 0, naiveMse = 0;
            var kmeansIterations = 0;
            var kmeans = Median(fitTimes, () =>
            {
                var fit = KMeans.Fit(data, kmeansOptions);
                (kmeansMse, kmeansIterations) = (fit.MeanSquaredError, fit.Iterations);
                fit.Centroids.Dispose();
            });
            // Same work for the reference: as many Lloyd iterations as the fit ran (it stops early on convergence),
            // over as many points as it used (at most MaxPointsPerCluster per centroid).
            var fitPoints = Math.Min(count, (long)kmeansOptions.MaxPointsPerCluster * k);
            var naiveKmeans = (double)fitPoints / referenceCount * Median(fitTimes, () => naiveMse = NaiveKMeans(referenceData, k, kmeansIterations, seed: 0));
            Row($"k-means fit, {k} codes, at most {iters} iterations, on {fitPoints:N0} points",
                $"{kmeans:F2} s, {kmeansIterations} iterations with k-means++ seeding (MSE {kmeansMse:G4})",
                $"{naiveKmeans:F2} s, {kmeansIterations} iterations (MSE {naiveMse:G4} on its {referenceCount:N0})", $"{naiveKmeans / kmeans:F2}");

            ResidualVectorQuantizer rvq = null!;
            var rvqFit = Median(fitTimes, () =>
            {
                rvq = new ResidualVectorQuantizer(d, new RvqOptions { Codebooks = nq, CodebookSize = k, KMeans = kmeansOptions });
                rvq.Fit(data);
            });
            Row($"RVQ fit, {nq} × {k} codes", $"{rvqFit:F2} s (MSE {rvq.FitErrors[^1]:G4})");
            var encode = Median(times, () => rvq.EncodeFrames(data).Dispose());
            var naiveEncode = scale * Median(times, () => NaiveRvqEncode(referenceData, rvq.StageCodebooks).Dispose());
            using (var ours = rvq.EncodeFrames(referenceData))
            using (var theirs = NaiveRvqEncode(referenceData, rvq.StageCodebooks))
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

    /// <summary>The textbook search: ((x − c)²).sum over D by broadcasting [b, 1, D] against [1, K, D], then argmin.</summary>
    static Tensor NaiveNearest(Tensor data, Tensor codebook)
    {
        // 256 rows keep the [b, K, D] difference tensor at 64 MB for K = 1024, D = 64.
        const long rows = 256;
        var indices = empty(data.shape[0], dtype: ScalarType.Int64);
        using var entries = codebook.unsqueeze(0);
        for (long start = 0; start < data.shape[0]; start += rows)
        {
            using var scope = NewDisposeScope();
            var block = data.narrow(0, start, Math.Min(rows, data.shape[0] - start));
            indices.narrow(0, start, block.shape[0]).copy_((block.unsqueeze(1) - entries).square().sum(2).argmin(1));
        }
        return indices;
    }

    /// <summary>Plain Lloyd k-means on the naive search, seeded with K random points; returns the final MSE.</summary>
    static double NaiveKMeans(Tensor data, int k, int iterations, int seed)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator((ulong)seed);
        var centroids = data.index_select(0, randperm(data.shape[0], generator: generator).narrow(0, 0, k));
        for (var i = 0; i < iterations; i++)
        {
            using var step = NewDisposeScope();
            var assignment = NaiveNearest(data, centroids);
            var counts = bincount(assignment, minlength: k).to_type(ScalarType.Float32).unsqueeze(1);
            var sums = zeros_like(centroids).index_add_(0, assignment, data, 1.0);
            // Empty clusters keep their centroid.
            centroids.copy_(where(counts > 0, sums / counts.clamp_min(1), centroids));
        }
        var final = NaiveNearest(data, centroids);
        return (data - centroids.index_select(0, final)).square().sum(1).mean().item<float>();
    }

    /// <summary>Greedy residual encoding with the naive search at every stage: codes [N, nq].</summary>
    static Tensor NaiveRvqEncode(Tensor data, IReadOnlyList<Tensor> stageCodebooks)
    {
        using var scope = NewDisposeScope();
        var residual = data.clone();
        var codes = new List<Tensor>();
        foreach (var codebook in stageCodebooks)
        {
            var stage = NaiveNearest(residual, codebook);
            residual.sub_(codebook.index_select(0, stage));
            codes.Add(stage);
        }
        return stack(codes, 1).MoveToOuterDisposeScope();
    }

    /// <summary>Median wall time in seconds of <paramref name="repeats"/> runs of <paramref name="action"/>.</summary>
    static double Median(int repeats, Action action)
    {
        var times = new List<double>();
        for (var i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            times.Add(clock.Elapsed.TotalSeconds);
        }
        return Median(times);
    }

    /// <param name="forceOneDnn">Turn oneDNN on after the trainer has chosen, to time it where the trainer would not use it.</param>
    static double MedianStepSeconds(ExperimentConfig config, int steps, bool forceOneDnn)
    {
        var run = TempRunFolder();
        try
        {
            using var trainer = SyntheticTrainer(config with { Training = config.Training with { Steps = steps + 2 } }, run);
            if (forceOneDnn) LibTorchCpu.UseOneDnnConvolutions();
            trainer.TrainOneStep();
            trainer.TrainOneStep();
            var times = new List<double>();
            for (var i = 0; i < steps; i++)
            {
                var clock = Stopwatch.StartNew();
                trainer.TrainOneStep();
                times.Add(clock.Elapsed.TotalSeconds);
            }
            return Median(times);
        }
        finally
        {
            Directory.Delete(run, recursive: true);
        }
    }

    static double RealTimeFactor(ExperimentConfig config, double seconds)
    {
        manual_seed(0);
        using var model = Nn.Autoencoder.Create(config.Model);
        var clip = SyntheticAudio.Clip(seconds, config.Model.SampleRate, seed: 1);
        var times = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            var clock = Stopwatch.StartNew();
            Reconstruction.Run(model, clip);
            times.Add(clock.Elapsed.TotalSeconds / seconds);
        }
        return Median(times);
    }

    static ContinuousTrainer SyntheticTrainer(ExperimentConfig config, string run)
    {
        var sampleRate = config.Model.SampleRate;
        return new ContinuousTrainer(config, SyntheticAudio.Clips(16, 4, sampleRate), SyntheticAudio.Clips(4, 2, sampleRate, seed: 1), run);
    }

    static string TempRunFolder() => Path.Combine(Path.GetTempPath(), "postrvq-bench-" + Guid.NewGuid().ToString("N"));

    static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>Least-squares slope of MB per step.</summary>
    static double Slope(List<(long Step, double Mb)> points)
    {
        if (points.Count < 2) return 0;
        var meanX = points.Average(p => (double)p.Step);
        var meanY = points.Average(p => p.Mb);
        return points.Sum(p => (p.Step - meanX) * (p.Mb - meanY)) / points.Sum(p => (p.Step - meanX) * (p.Step - meanX));
    }
}
