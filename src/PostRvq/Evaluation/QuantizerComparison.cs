// The comparison protocol of Lahrichi et al., "Challenging Common Practices in Vector Quantized Neural Audio Compression".
using System.Diagnostics;
using PostRvq.Audio;
using PostRvq.Latents;
using PostRvq.Metrics;
using PostRvq.Nn;
using PostRvq.Quantization;
using static TorchSharp.torch;

namespace PostRvq.Evaluation;

/// <summary>
/// Compares quantizer families on one fixed representation: each method is fitted on the training latents at
/// each target bitrate (a truncatable one once, at the deepest target), then every evaluation clip is encoded by
/// the frozen encoder, quantized, decoded by the frozen decoder and scored against the original audio.
/// Rows carry the audio metrics (per clip and mean), latent error, codebook usage, entropy and exact bitrate.
/// It does not finetune the decoder: that is a later step of the paper.
/// </summary>
public static class QuantizerComparison
{
    public const string ContinuousMethod = "continuous";

    /// <summary>
    /// Runs the comparison. <paramref name="train"/> is the latent set quantizers are fitted on; <paramref name="clips"/>
    /// are the evaluation clips at the model's sample rate (ids default to clip-000, ...). Rows come in method order,
    /// the continuous row first, then one per target bitrate in <see cref="ComparisonOptions.TargetKbps"/> order.
    /// </summary>
    public static IReadOnlyList<ComparisonRow> Run(ComparisonOptions options, Autoencoder model, LatentSet train, IReadOnlyList<AudioClip> clips,
        IProgress<ComparisonProgress>? progress = null, IReadOnlyList<string>? clipIds = null, long trainingSteps = 0)
    {
        options.Validate();
        return Run(options, [.. options.Methods.Select(QuantizerZoo.Get)], model, train, clips, progress, clipIds, trainingSteps);
    }

    /// <summary>
    /// Runs the comparison on <paramref name="methods"/> instead of <see cref="ComparisonOptions.Methods"/>, so a family
    /// built in a notebook joins without being registered.
    /// </summary>
    public static IReadOnlyList<ComparisonRow> Run(ComparisonOptions options, IReadOnlyList<QuantizerMethod> methods, Autoencoder model, LatentSet train,
        IReadOnlyList<AudioClip> clips, IProgress<ComparisonProgress>? progress = null, IReadOnlyList<string>? clipIds = null, long trainingSteps = 0)
    {
        options.Validate();
        if (methods.Select(m => m.Kind).Distinct(StringComparer.OrdinalIgnoreCase).Count() != methods.Count)
            throw new ArgumentException("A method is listed twice.", nameof(methods));
        RequireCompatible(model, train, clips, clipIds);
        var frameRate = model.Options.FrameRate;
        foreach (var kbps in options.TargetKbps) Bitrate.RequireOneCodebook(kbps, options.CodebookSize, frameRate);
        using var evaluation = EncodeClips(model, clips, options);
        using var fitFrames = FitFrames(train, options);
        var codes = new List<KeyValuePair<string, Tensor>>();
        try
        {
            var rows = new List<ComparisonRow>();
            var context = new Context(options, model, evaluation, clips, fitFrames, frameRate, trainingSteps, progress, codes, train.ModelId);
            if (options.IncludeContinuous) rows.Add(Continuous(context));
            foreach (var method in methods) rows.AddRange(RunMethod(context, method));
            if (options.SaveCodes) SaveCodes(options, codes, evaluation, clipIds ?? DefaultIds(clips.Count), frameRate);
            return rows;
        }
        finally
        {
            foreach (var (_, value) in codes) value.Dispose();
        }
    }

    /// <summary>
    /// Scores an already-fitted codec (a finetuned decoder, or an E2E model with its learned RVQ) without fitting:
    /// one row per target bitrate when the quantizer is truncatable, else one row at its own bitrate.
    /// </summary>
    public static IReadOnlyList<ComparisonRow> EvaluateFitted(ComparisonOptions options, string method, Autoencoder model, IQuantizer quantizer,
        IReadOnlyList<AudioClip> clips, long trainingSteps = 0, IProgress<ComparisonProgress>? progress = null)
    {
        options.Validate();
        if (!quantizer.IsFitted) throw new ArgumentException($"The {method} quantizer is not fitted.", nameof(quantizer));
        if (quantizer.Dimension != model.Options.LatentDim)
            throw new ArgumentException(
                $"The {method} quantizer codes {quantizer.Dimension}-dim latents but the model's latent dimension is {model.Options.LatentDim}.", nameof(quantizer));
        if (clips.Count == 0) throw new ArgumentException("There are no evaluation clips.", nameof(clips));
        RequireScorable(clips, DefaultIds(clips.Count));
        var frameRate = model.Options.FrameRate;
        // A truncated quantizer keeps at least its first stream, so a target below it would be overshot without a word.
        if (quantizer is ITruncatableQuantizer)
            foreach (var kbps in options.TargetKbps) Bitrate.RequireOneCodebook(kbps, quantizer.CodebookSizes[0], frameRate);
        using var evaluation = EncodeClips(model, clips, options);
        using var noFitFrames = zeros(0, quantizer.Dimension);
        var context = new Context(options, model, evaluation, clips, noFitFrames, frameRate, trainingSteps, progress, [], "");
        var targets = quantizer is ITruncatableQuantizer ? options.TargetKbps : [quantizer.Kbps(frameRate)];
        var rows = new List<ComparisonRow>();
        foreach (var kbps in targets)
        {
            var request = new QuantizerRequest(quantizer.Dimension, kbps, frameRate, options.Seed) { CodebookSize = options.CodebookSize };
            var chosen = quantizer is ITruncatableQuantizer truncatable ? TruncateToBudget(truncatable, request.BitsPerFrameBudget) : quantizer;
            rows.Add(Evaluate(context, method, chosen, request, double.NaN, rows.Count + 1, targets.Count));
        }
        return rows;
    }

    /// <summary>The encoded evaluation clips: latents [1, D, T] of each, and the encoder's total time.</summary>
    sealed record EvaluationLatents(IReadOnlyList<Tensor> Latents, double EncodeSeconds) : IDisposable
    {
        public void Dispose()
        {
            foreach (var z in Latents) z.Dispose();
        }
    }

    sealed record Context(ComparisonOptions Options, Autoencoder Model, EvaluationLatents Evaluation, IReadOnlyList<AudioClip> Clips,
        Tensor FitFrames, double FrameRate, long TrainingSteps, IProgress<ComparisonProgress>? Progress, List<KeyValuePair<string, Tensor>> Codes,
        string ModelId);

    static void RequireCompatible(Autoencoder model, LatentSet train, IReadOnlyList<AudioClip> clips, IReadOnlyList<string>? clipIds)
    {
        var options = model.Options;
        if (train.Dimension != options.LatentDim)
            throw new ArgumentException($"The training latents have D = {train.Dimension} but the model's latent dimension is {options.LatentDim}.", nameof(train));
        if (Math.Abs(train.FrameRate - options.FrameRate) > 1e-9 * options.FrameRate)
            throw new ArgumentException($"The training latents are at {train.FrameRate} frames/s but the model runs at {options.FrameRate}.", nameof(train));
        if (clips.Count == 0) throw new ArgumentException("There are no evaluation clips.", nameof(clips));
        if (clips.FirstOrDefault(c => c.SampleRate != options.SampleRate) is { } wrong)
            throw new ArgumentException($"An evaluation clip is at {wrong.SampleRate} Hz but the model expects {options.SampleRate} Hz.", nameof(clips));
        if (clipIds is not null && clipIds.Count != clips.Count)
            throw new ArgumentException($"{clipIds.Count} clip ids for {clips.Count} clips.", nameof(clipIds));
        RequireScorable(clips, clipIds ?? DefaultIds(clips.Count));
    }

    /// <summary>Refuses, by id, a clip too short for the audio metrics: it would score a meaningless number into the means.</summary>
    static void RequireScorable(IReadOnlyList<AudioClip> clips, IReadOnlyList<string> ids)
    {
        for (var i = 0; i < clips.Count; i++)
            if (!AudioMetrics.CanScore(clips[i].Length))
                throw new ArgumentException(
                    $"Evaluation clip {ids[i]} has {clips[i].Length} samples, fewer than the {AudioMetrics.MinimumLength} the audio metrics need "
                    + "(their longest analysis window); leave it out.");
    }

    static EvaluationLatents EncodeClips(Autoencoder model, IReadOnlyList<AudioClip> clips, ComparisonOptions options)
    {
        var clock = Stopwatch.StartNew();
        var latents = clips.Select(clip => LatentCodec.Encode(model, clip, options.Chunking)).ToList();
        return new EvaluationLatents(latents, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The training frames, or a seeded random subset of <see cref="ComparisonOptions.MaxTrainFrames"/> of them.</summary>
    static Tensor FitFrames(LatentSet train, ComparisonOptions options)
    {
        if (options.MaxTrainFrames is not { } max || max >= train.Count) return train.Frames.alias();
        using var scope = NewDisposeScope();
        var generator = new Generator((ulong)options.Seed);
        var chosen = randperm(train.Count, generator: generator).narrow(0, 0, max).sort().Values;
        return train.Frames.index_select(0, chosen).MoveToOuterDisposeScope();
    }

    static ComparisonRow Continuous(Context context)
    {
        Report(context, ContinuousMethod, 0, 1, "decoding the unquantized latents");
        var decoded = context.Evaluation.Latents.Select((z, i) => Decode(context, i, z)).ToList();
        var clips = Score(context.Clips, decoded);
        Report(context, ContinuousMethod, 1, 1, "done");
        return Row(ContinuousMethod, context, clips) with { EncodeSeconds = context.Evaluation.EncodeSeconds };
    }

    static List<ComparisonRow> RunMethod(Context context, QuantizerMethod method)
    {
        var options = context.Options;
        var requests = options.TargetKbps
            .Select(kbps => new QuantizerRequest((int)context.FitFrames.shape[1], kbps, context.FrameRate, options.Seed)
            {
                CodebookSize = options.CodebookSize,
                KMeans = options.KMeans,
            })
            .ToList();
        var deepest = requests.MaxBy(r => r.TargetKbps)!;
        var first = method.Create(deepest);
        var rows = new List<ComparisonRow>();
        if (first is ITruncatableQuantizer truncatable)
        {
            var total = 1 + requests.Count;
            var fitSeconds = Fit(context, method.Kind, truncatable, deepest, 0, total);
            SaveQuantizer(context, method.Kind, truncatable);
            foreach (var request in requests)
            {
                var quantizer = TruncateToBudget(truncatable, request.BitsPerFrameBudget);
                rows.Add(Evaluate(context, method.Kind, quantizer, request, fitSeconds, rows.Count + 2, total));
            }
            return rows;
        }
        var steps = 2 * requests.Count;
        foreach (var request in requests)
        {
            var quantizer = request == deepest ? first : method.Create(request);
            var fitSeconds = Fit(context, method.Kind, quantizer, request, 2 * rows.Count, steps);
            if (request == deepest) SaveQuantizer(context, method.Kind, quantizer);
            rows.Add(Evaluate(context, method.Kind, quantizer, request, fitSeconds, 2 * rows.Count + 2, steps));
        }
        return rows;
    }

    /// <summary>The longest prefix of code streams whose bits fit the budget, and at least one stream.</summary>
    static IQuantizer TruncateToBudget(ITruncatableQuantizer quantizer, double bitsBudget)
    {
        var streams = Math.Max(1, Bitrate.StreamsWithin(quantizer.CodebookSizes, bitsBudget));
        return streams == quantizer.Codebooks ? quantizer : quantizer.Truncate(streams);
    }

    static double Fit(Context context, string method, IQuantizer quantizer, QuantizerRequest request, int done, int total)
    {
        Report(context, method, done, total, $"fitting for {request.TargetKbps:G4} kbps on {context.FitFrames.shape[0]} frames");
        var fitProgress = context.Progress is null
            ? null
            : new SynchronousProgress<FitProgress>(p => Report(context, method, done, total, $"fit {request.TargetKbps:G4} kbps, stage {p.Stage}/{p.Stages}: {p.Detail}"));
        var clock = Stopwatch.StartNew();
        quantizer.Fit(context.FitFrames, fitProgress);
        return clock.Elapsed.TotalSeconds;
    }

    static ComparisonRow Evaluate(Context context, string method, IQuantizer quantizer, QuantizerRequest request, double fitSeconds, int done, int total)
    {
        Report(context, method, done - 1, total, $"evaluating {quantizer.Kbps(context.FrameRate):G4} kbps on {context.Clips.Count} clips");
        using var scope = NewDisposeScope();
        var encodeSeconds = 0.0;
        var decoded = new List<AudioClip>();
        var codes = new List<Tensor>();
        var quantized = new List<Tensor>();
        for (var i = 0; i < context.Clips.Count; i++)
        {
            // Only the codes and the decoded latents outlive a clip; temporaries a quantizer leaves in the caller's
            // scope would otherwise be held for every clip of the split.
            using var clipScope = NewDisposeScope();
            var clock = Stopwatch.StartNew();
            var clipCodes = quantizer.Encode(context.Evaluation.Latents[i]);
            encodeSeconds += clock.Elapsed.TotalSeconds;
            var zq = quantizer.Decode(clipCodes);
            decoded.Add(Decode(context, i, zq));
            codes.Add(clipCodes.MoveToOuterDisposeScope());
            quantized.Add(zq.MoveToOuterDisposeScope());
        }
        var clipMetrics = Score(context.Clips, decoded);
        var allCodes = cat(codes, 2);
        var latentError = LatentError.Compute(cat(context.Evaluation.Latents.ToList(), 2), cat(quantized, 2));
        var (usage, perplexity, entropyKbps) = CodeStatistics(quantizer, allCodes, context.FrameRate);
        if (context.Options.SaveCodes)
            context.Codes.Add(new($"{method}@{request.TargetKbps:R}kbps", allCodes.squeeze(0).t().contiguous().DetachFromDisposeScope()));
        Report(context, method, done, total, $"{quantizer.Kbps(context.FrameRate):G4} kbps: latent SNR {latentError.SnrDb:F2} dB");
        return Row(method, context, clipMetrics) with
        {
            TargetKbps = request.TargetKbps,
            Kbps = quantizer.Kbps(context.FrameRate),
            Codebooks = quantizer.Codebooks,
            LatentMse = latentError.Mse,
            LatentSnrDb = latentError.SnrDb,
            LatentSnrStandardizedDb = latentError.StandardizedSnrDb,
            CodebookUsage = usage,
            Perplexity = perplexity,
            EntropyKbps = entropyKbps,
            FitSeconds = fitSeconds,
            EncodeSeconds = encodeSeconds,
        };
    }

    // Histograms of larger codebooks would not fit in memory; their rows keep NaN.
    const long MaxHistogramSize = 1 << 24;

    /// <summary>Used fraction and perplexity averaged over the code streams, and the entropy rate, of codes [1, nq, T].</summary>
    static (double Usage, double Perplexity, double EntropyKbps) CodeStatistics(IQuantizer quantizer, Tensor codes, double frameRate)
    {
        var sizes = quantizer.CodebookSizes;
        if (sizes.Max() > MaxHistogramSize) return (double.NaN, double.NaN, double.NaN);
        var streams = Enumerable.Range(0, sizes.Count).Select(q => CodebookUsage.Compute(codes.select(1, q), (int)sizes[q])).ToList();
        var entropy = Bitrate.EntropyKbps(codes, (int)sizes.Max(), frameRate);
        return (streams.Average(s => s.UsedFraction), streams.Average(s => s.Perplexity), entropy);
    }

    static AudioClip Decode(Context context, int clip, Tensor latents) =>
        LatentCodec.Decode(context.Model, latents, context.Clips[clip].Length, context.Options.Chunking);

    /// <summary>
    /// Samples per metrics call: 2²¹, 87 s at 24 kHz. The test split has 138 clips of exactly 10 s, and scoring them in
    /// one call took 19 GB.
    /// </summary>
    const long MaxScoringBatchSamples = 1L << 21;

    /// <summary>Per-clip metrics of <paramref name="decoded"/> against <paramref name="references"/>, in batches from <see cref="ScoringBatches"/>.</summary>
    internal static List<AudioMetricValues> Score(IReadOnlyList<AudioClip> references, IReadOnlyList<AudioClip> decoded, long maxBatchSamples = MaxScoringBatchSamples)
    {
        var scores = new AudioMetricValues[references.Count];
        foreach (var batch in ScoringBatches([.. references.Select(r => r.Length)], maxBatchSamples))
        {
            using var scope = NewDisposeScope();
            var length = references[batch[0]].Length;
            var values = AudioMetrics.Compute(
                AudioTensors.ToBatch([.. batch.Select(i => references[i])], length),
                AudioTensors.ToBatch([.. batch.Select(i => decoded[i])], length),
                references[0].SampleRate);
            for (var k = 0; k < batch.Count; k++) scores[batch[k]] = values[k];
        }
        return [.. scores];
    }

    /// <summary>
    /// Clip indices to score in one call each: clips of one length, at most <paramref name="maxSamples"/> samples in
    /// all (a longer clip goes alone), so memory stays bounded however many clips share a length.
    /// </summary>
    internal static IEnumerable<IReadOnlyList<int>> ScoringBatches(IReadOnlyList<int> lengths, long maxSamples)
    {
        foreach (var group in Enumerable.Range(0, lengths.Count).GroupBy(i => lengths[i]))
        {
            var perBatch = (int)Math.Clamp(maxSamples / Math.Max(1, group.Key), 1, int.MaxValue);
            foreach (var batch in group.Chunk(perBatch)) yield return batch;
        }
    }

    static ComparisonRow Row(string method, Context context, List<AudioMetricValues> clips)
    {
        var mean = AudioMetrics.Mean(clips);
        return new ComparisonRow
        {
            Method = method,
            Split = context.Options.Split,
            Mel = mean.Mel,
            Stft = mean.Stft,
            SiSdr = mean.SiSdr,
            Snr = mean.Snr,
            TrainingSteps = context.TrainingSteps,
            Clips = clips,
        };
    }

    static void SaveQuantizer(Context context, string method, IQuantizer quantizer)
    {
        if (context.Options.OutputFolder is not { } folder) return;
        // A quantizer is only meaningful on the latents of the model it was fitted on, so its file names that model.
        if (quantizer is FrameQuantizer frame && context.ModelId != "") frame.Provenance["modelId"] = context.ModelId;
        quantizer.Save(Path.Combine(folder, "quantizers", method + QuantizerFile.Extension));
    }

    /// <summary>codes.safetensors: each row's codes as "METHOD@KBPSkbps" [ΣT, nq] int64, clips back to back as in "clip_frames".</summary>
    static void SaveCodes(ComparisonOptions options, List<KeyValuePair<string, Tensor>> codes, EvaluationLatents evaluation, IReadOnlyList<string> ids, double frameRate)
    {
        using var clipFrames = tensor(evaluation.Latents.Select(z => z.shape[2]).ToArray());
        var metadata = new Dictionary<string, string>
        {
            ["clip_ids"] = System.Text.Json.JsonSerializer.Serialize(ids),
            ["frame_rate"] = frameRate.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            ["split"] = options.Split,
        };
        IO.SafetensorsFile.Save(Path.Combine(options.OutputFolder!, "codes.safetensors"), [.. codes, new("clip_frames", clipFrames)], metadata);
    }

    static IReadOnlyList<string> DefaultIds(int count) => [.. Enumerable.Range(0, count).Select(i => $"clip-{i:D3}")];

    static void Report(Context context, string method, int done, int total, string detail) =>
        context.Progress?.Report(new ComparisonProgress(method, done, total, detail));
}
