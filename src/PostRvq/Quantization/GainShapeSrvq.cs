using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace PostRvq.Quantization;

/// <summary>
/// Gain–shape coding of each frame (as speech codecs code an excitation's gain apart from its shape): the first code
/// stream holds the frame's norm on a uniform log scale, and the others a standardized RVQ of the frame divided by
/// that decoded norm. A latent whose size follows the signal's level (the MDCT model's does) then gets the same
/// relative precision in a quiet frame as in a loud one, where plain RVQ's error is the same in absolute terms and so
/// far larger, relatively, in quiet frames, which log-mel distances weigh heavily. The gain stream costs one codebook
/// of <see cref="RvqOptions.CodebookSize"/> levels; truncation keeps it and drops shape stages from the end.
/// </summary>
public sealed class GainShapeSrvq : FrameQuantizer, ITruncatableQuantizer
{
    // Norms below this are silence; the clamp gives an exactly zero frame a finite log gain.
    const double SilentNorm = 1e-8;

    readonly StandardizedRvq? shape;
    GainScale? gain;
    Tensor? meanShape;

    /// <summary>Log-norm levels: level i decodes to exp(LowLog + i · StepLog).</summary>
    sealed record GainScale(double LowLog, double StepLog, int Levels)
    {
        /// <summary>Norms [N] (float64) → level codes [N].</summary>
        public Tensor Encode(Tensor norms) =>
            ((norms.clamp_min(SilentNorm).log() - LowLog) / StepLog).round().clamp(0, Levels - 1).to_type(ScalarType.Int64);

        /// <summary>Level codes [N] → norms [N, 1] as float32.</summary>
        public Tensor Decode(Tensor codes) => (codes.to_type(ScalarType.Float64) * StepLog + LowLog).exp().to_type(ScalarType.Float32).unsqueeze(1);
    }

    /// <param name="dimension">Latent dimension D.</param>
    /// <param name="options">Codebooks counts the gain stream too: 32 gives the gain and 31 shape stages.</param>
    public GainShapeSrvq(int dimension, RvqOptions options) : base(dimension)
    {
        options.Validate();
        Options = options;
        if (options.Codebooks > 1) shape = new StandardizedRvq(dimension, options with { Codebooks = options.Codebooks - 1 });
    }

    GainShapeSrvq(int dimension, RvqOptions options, StandardizedRvq? shape, GainScale gain, Tensor meanShape) : base(dimension)
    {
        Options = options;
        this.shape = shape;
        this.gain = gain;
        this.meanShape = meanShape;
    }

    public RvqOptions Options { get; }
    public override string Kind => QuantizerKinds.GainShapeSrvq;
    public override int Codebooks => Options.Codebooks;
    public override IReadOnlyList<long> CodebookSizes => Enumerable.Repeat((long)Options.CodebookSize, Options.Codebooks).ToArray();
    public override bool IsFitted => gain is not null && meanShape is not null && (shape?.IsFitted ?? true);

    public IQuantizer Truncate(int codebooks)
    {
        RequireFitted();
        if (codebooks < 1 || codebooks > Codebooks)
            throw new ArgumentOutOfRangeException(nameof(codebooks), codebooks, $"This quantizer has 1 to {Codebooks} streams (the gain, then the shape stages).");
        var kept = codebooks == 1 ? null : (StandardizedRvq)shape!.Truncate(codebooks - 1);
        return new GainShapeSrvq(Dimension, Options with { Codebooks = codebooks }, kept, gain!, meanShape!) { Provenance = Provenance };
    }

    protected override void FitFrames(Tensor frames, IProgress<FitProgress>? progress)
    {
        var norms = Norms(frames);
        var logs = norms.clamp_min(SilentNorm).log();
        var (low, high) = (logs.min().item<double>(), logs.max().item<double>());
        var scale = new GainScale(low, high > low ? (high - low) / (Options.CodebookSize - 1) : 1.0, Options.CodebookSize);
        // The shape is the frame over its decoded gain, so the shape stages also absorb the gain's rounding.
        var shapes = frames / scale.Decode(scale.Encode(norms));
        meanShape = shapes.mean([0]).DetachFromDisposeScope();
        if (shape is not null)
        {
            shape.Fit(shapes, progress);
            KMeansConvergence.Copy(shape.Provenance, Provenance);
        }
        gain = scale;
    }

    protected internal override Tensor EncodeFrames(Tensor frames)
    {
        var gainCodes = gain!.Encode(Norms(frames));
        if (shape is null) return gainCodes.unsqueeze(1);
        return cat([gainCodes.unsqueeze(1), shape.EncodeFrames(frames / gain.Decode(gainCodes))], 1);
    }

    protected internal override Tensor DecodeFrames(Tensor codes)
    {
        var shapes = shape is null
            ? meanShape!.unsqueeze(0).expand(codes.shape[0], -1)
            : shape.DecodeFrames(codes.narrow(1, 1, codes.shape[1] - 1));
        return shapes * gain!.Decode(codes.select(1, 0));
    }

    static Tensor Norms(Tensor frames) => frames.to_type(ScalarType.Float64).square().sum(1).sqrt();

    protected override (JsonObject Settings, IReadOnlyDictionary<string, Tensor> Tensors) Describe()
    {
        var settings = ResidualVectorQuantizer.Settings(Options);
        settings["gainLowLog"] = gain!.LowLog;
        settings["gainStepLog"] = gain.StepLog;
        var tensors = new Dictionary<string, Tensor> { ["meanShape"] = meanShape! };
        if (shape is not null)
        {
            for (var s = 0; s < shape.Codebooks; s++) tensors[$"codebook.{s}"] = shape.Inner.StageCodebooks[s];
            tensors["mean"] = shape.Standardization!.Mean;
            tensors["std"] = shape.Standardization.Std;
        }
        return (settings, tensors);
    }

    /// <summary>Rebuilds a fitted gain–shape quantizer from a <see cref="QuantizerFile"/> state.</summary>
    public static GainShapeSrvq FromState(QuantizerState state)
    {
        var options = ResidualVectorQuantizer.ReadOptions(state);
        var gain = new GainScale(state.Setting<double>("gainLowLog"), state.Setting<double>("gainStepLog"), options.CodebookSize);
        if (!(gain.StepLog > 0) || !double.IsFinite(gain.LowLog)) throw new InvalidDataException("the gain scale must have a finite start and a positive step");
        var meanShape = state.Tensor("meanShape");
        if (!meanShape.shape.SequenceEqual([state.Dimension])) throw new InvalidDataException($"meanShape must be [{state.Dimension}]");
        var shape = options.Codebooks > 1
            ? StandardizedRvq.FromState(state with
            {
                Kind = QuantizerKinds.Srvq,
                Settings = ResidualVectorQuantizer.Settings(options with { Codebooks = options.Codebooks - 1 }),
            })
            : null;
        return new GainShapeSrvq(state.Dimension, options, shape, gain, meanShape) { Provenance = new(state.Provenance) };
    }
}
