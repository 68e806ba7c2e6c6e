using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace PostRvq.Quantization;

/// <summary>
/// Residual vector quantization (Juang and Gray 1982; the RVQ of SoundStream and EnCodec), fitted after training
/// as in faiss's ResidualQuantizer: stage s runs k-means on what stages 0..s−1 left over, and encoding is greedy,
/// each stage taking the nearest code to the current residual, or, with <see cref="RvqOptions.BeamWidth"/> above 1,
/// beam search over stages as faiss's ResidualQuantizer does at test time. The first n stages are themselves an
/// RVQ, so <see cref="Truncate"/> gives every lower bitrate from one fit. Fitting is always greedy.
/// </summary>
public sealed class ResidualVectorQuantizer : FrameQuantizer, ITruncatableQuantizer
{
    readonly List<Tensor> stageCodebooks;
    readonly List<Tensor> stageNorms;

    public ResidualVectorQuantizer(int dimension, RvqOptions options) : this(dimension, options, [])
    {
    }

    ResidualVectorQuantizer(int dimension, RvqOptions options, IEnumerable<Tensor> codebooks) : base(dimension)
    {
        options.Validate();
        Options = options;
        stageCodebooks = codebooks.ToList();
        stageNorms = stageCodebooks.Select(c => c.square().sum(1).DetachFromDisposeScope()).ToList();
    }

    /// <summary>A fitted RVQ with the given stage codebooks, each [CodebookSize, D] (copied), such as those an in-loop RVQ learnt.</summary>
    public static ResidualVectorQuantizer FromCodebooks(int dimension, IReadOnlyList<Tensor> codebooks)
    {
        if (codebooks.Count == 0) throw new ArgumentException("At least one codebook is needed.", nameof(codebooks));
        var size = codebooks[0].shape[0];
        foreach (var codebook in codebooks)
            if (codebook.dim() != 2 || codebook.shape[0] != size || codebook.shape[1] != dimension)
                throw new ArgumentException($"Every codebook must be [{size}, {dimension}], got [{string.Join(", ", codebook.shape)}].", nameof(codebooks));
        var options = new RvqOptions { Codebooks = codebooks.Count, CodebookSize = checked((int)size) };
        return new ResidualVectorQuantizer(dimension, options, codebooks.Select(c => c.detach().to_type(ScalarType.Float32).cpu().clone().DetachFromDisposeScope()));
    }

    public RvqOptions Options { get; }
    /// <summary>A beam wider than 1 is its own kind, so that results and files name the method.</summary>
    public override string Kind => Options.BeamWidth > 1 ? QuantizerKinds.RvqBeam : QuantizerKinds.Rvq;
    public override int Codebooks => Options.Codebooks;
    public override IReadOnlyList<long> CodebookSizes => Enumerable.Repeat((long)Options.CodebookSize, Options.Codebooks).ToArray();
    public override bool IsFitted => stageCodebooks.Count == Options.Codebooks;

    /// <summary>Stage codebooks, each [CodebookSize, D].</summary>
    public IReadOnlyList<Tensor> StageCodebooks => stageCodebooks;

    /// <summary>Mean squared residual after each stage, measured on the fit set (filled by <see cref="FrameQuantizer.Fit"/>).</summary>
    public IReadOnlyList<double> FitErrors { get; private set; } = [];

    public IQuantizer Truncate(int codebooks)
    {
        RequireFitted();
        if (codebooks < 1 || codebooks > Codebooks)
            throw new ArgumentOutOfRangeException(nameof(codebooks), codebooks, $"This RVQ has 1 to {Codebooks} stages.");
        return new ResidualVectorQuantizer(Dimension, Options with { Codebooks = codebooks }, stageCodebooks.Take(codebooks))
        {
            Provenance = Provenance,
        };
    }

    // Set only for the duration of Fit(latents, firstStageKeptEntry, progress).
    Tensor? firstStageKeptEntry;

    /// <summary>
    /// Fits with the first stage's kept entry (<see cref="KMeansOptions.KeepZeroCentroid"/>) at
    /// <paramref name="firstStageKeptEntry"/> [D] instead of the origin: the point the raw zero latent maps to when the
    /// frames were transformed first, as standardized RVQ does.
    /// </summary>
    internal void Fit(Tensor latents, Tensor firstStageKeptEntry, IProgress<FitProgress>? progress)
    {
        this.firstStageKeptEntry = firstStageKeptEntry;
        try
        {
            Fit(latents, progress);
        }
        finally
        {
            this.firstStageKeptEntry = null;
        }
    }

    protected override void FitFrames(Tensor frames, IProgress<FitProgress>? progress)
    {
        stageCodebooks.Clear();
        stageNorms.Clear();
        var errors = new List<double>();
        var fits = new List<KMeansResult>();
        var residual = frames.clone();
        for (var stage = 0; stage < Options.Codebooks; stage++)
        {
            using var stageScope = NewDisposeScope();
            var stageProgress = progress is null ? null : new SynchronousProgress<string>(detail => progress.Report(new FitProgress(stage + 1, Options.Codebooks, detail)));
            // The kept entry adds nothing in later stages; in the first it is where the raw zero latent (silence) lands.
            var fit = KMeans.Fit(residual, Options.StageKMeans(stage), stageProgress, stage == 0 ? firstStageKeptEntry : null);
            fits.Add(fit);
            var codebook = fit.Centroids.DetachFromDisposeScope();
            var norms = codebook.square().sum(1).DetachFromDisposeScope();
            residual.sub_(codebook.index_select(0, NearestCode.Search(residual, codebook, norms).Indices));
            stageCodebooks.Add(codebook);
            stageNorms.Add(norms);
            errors.Add(residual.square().sum(1).mean().item<float>());
            progress?.Report(new FitProgress(stage + 1, Options.Codebooks, $"stage {stage + 1} fitted: residual MSE {errors[^1]:G4}"));
        }
        FitErrors = errors;
        KMeansConvergence.Record(Provenance, fits, Options.KMeans);
    }

    protected internal override Tensor EncodeFrames(Tensor frames) =>
        Options.BeamWidth > 1 ? BeamEncode(frames) : GreedyEncode(frames);

    Tensor GreedyEncode(Tensor frames)
    {
        var residual = frames.clone();
        var codes = new Tensor[Codebooks];
        for (var stage = 0; stage < Codebooks; stage++)
        {
            codes[stage] = NearestCode.Search(residual, stageCodebooks[stage], stageNorms[stage]).Indices;
            residual.sub_(stageCodebooks[stage].index_select(0, codes[stage]));
        }
        return stack(codes, 1);
    }

    /// <summary>Beam search over frames [N, D] in chunks, so the [chunk, beam, K] distance buffer stays bounded.</summary>
    Tensor BeamEncode(Tensor frames)
    {
        var count = frames.shape[0];
        var codes = empty(count, Codebooks, dtype: ScalarType.Int64, device: frames.device);
        var chunk = Math.Max(1, NearestCode.ChunkFor(Options.CodebookSize) / Options.BeamWidth);
        for (long start = 0; start < count; start += chunk)
        {
            using var chunkScope = NewDisposeScope();
            var length = Math.Min(chunk, count - start);
            codes.narrow(0, start, length).copy_(BeamEncodeChunk(frames.narrow(0, start, length)));
        }
        return codes;
    }

    /// <summary>
    /// Frames [n, D] → codes [n, nq]: after each stage keeps, per frame, the BeamWidth code sequences with the
    /// smallest residual error, then returns the best full sequence.
    /// </summary>
    Tensor BeamEncodeChunk(Tensor frames)
    {
        var (count, dimension) = (frames.shape[0], frames.shape[1]);
        var residuals = frames.unsqueeze(1);
        var paths = empty(count, 1, 0, dtype: ScalarType.Int64, device: frames.device);
        for (var stage = 0; stage < Codebooks; stage++)
        {
            using var stageScope = NewDisposeScope();
            var (codebook, norms) = (stageCodebooks[stage], stageNorms[stage]);
            var (beams, size) = (residuals.shape[1], codebook.shape[0]);
            // ‖r − c‖² = ‖r‖² − 2 r·c + ‖c‖² for every beam and code in one sgemm.
            var distances = addmm(norms.unsqueeze(0), residuals.reshape(-1, dimension), codebook.t(), beta: 1, alpha: -2)
                .view(count, beams, size) + residuals.square().sum(2, keepdim: true);
            var keep = (int)Math.Min(Options.BeamWidth, beams * size);
            var candidates = distances.view(count, -1).topk(keep, dim: 1, largest: false).indexes;
            var parents = candidates.div(size, rounding_mode: RoundingMode.floor);
            var stageCodes = candidates.remainder(size);
            var next = residuals.gather(1, parents.unsqueeze(2).expand(count, keep, dimension))
                - codebook.index_select(0, stageCodes.flatten()).view(count, keep, dimension);
            var nextPaths = cat([paths.gather(1, parents.unsqueeze(2).expand(count, keep, stage)), stageCodes.unsqueeze(2)], 2);
            // The chunk scope would otherwise hold every stage's beams until the chunk ends.
            residuals.Dispose();
            paths.Dispose();
            residuals = next.MoveToOuterDisposeScope();
            paths = nextPaths.MoveToOuterDisposeScope();
        }
        var best = residuals.square().sum(2).argmin(1);
        return paths.gather(1, best.view(count, 1, 1).expand(count, 1, Codebooks)).squeeze(1);
    }

    protected internal override Tensor DecodeFrames(Tensor codes)
    {
        var frames = zeros(codes.shape[0], Dimension, device: codes.device);
        for (var stage = 0; stage < Codebooks; stage++)
            frames.add_(stageCodebooks[stage].index_select(0, codes.select(1, stage)));
        return frames;
    }

    protected override (JsonObject Settings, IReadOnlyDictionary<string, Tensor> Tensors) Describe() =>
        (Settings(Options), Enumerable.Range(0, Codebooks).ToDictionary(s => $"codebook.{s}", s => stageCodebooks[s]));

    internal static JsonObject Settings(RvqOptions options) => new()
    {
        ["codebooks"] = options.Codebooks,
        ["codebookSize"] = options.CodebookSize,
        ["seed"] = options.Seed,
        ["beamWidth"] = options.BeamWidth,
    };

    internal static RvqOptions ReadOptions(QuantizerState state) => new()
    {
        Codebooks = state.Setting<int>("codebooks"),
        CodebookSize = state.Setting<int>("codebookSize"),
        Seed = state.Setting<int>("seed"),
        // Files written before beam search existed encode greedily.
        BeamWidth = state.Settings.ContainsKey("beamWidth") ? state.Setting<int>("beamWidth") : 1,
    };

    /// <summary>Rebuilds a fitted RVQ from a <see cref="QuantizerFile"/> state.</summary>
    public static ResidualVectorQuantizer FromState(QuantizerState state)
    {
        var options = ReadOptions(state);
        // Checked first: a corrupt count must not size a list before the tensors it names are found missing.
        if (options.Codebooks < 1 || options.Codebooks > state.Tensors.Count)
            throw new InvalidDataException($"the quantizer declares {options.Codebooks} codebooks but holds {state.Tensors.Count} tensors");
        var codebooks = Enumerable.Range(0, options.Codebooks).Select(s => state.Tensor($"codebook.{s}")).ToList();
        foreach (var codebook in codebooks)
            if (codebook.dim() != 2 || codebook.shape[0] != options.CodebookSize || codebook.shape[1] != state.Dimension)
                throw new InvalidDataException(
                    $"a codebook is [{string.Join(", ", codebook.shape)}], expected [{options.CodebookSize}, {state.Dimension}]");
        return new ResidualVectorQuantizer(state.Dimension, options, codebooks) { Provenance = new(state.Provenance) };
    }
}
