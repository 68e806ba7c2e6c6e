using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace PostRvq.Quantization;

/// <summary>
/// Base of per-dimension scalar quantizers: dimension d is its own code stream with 2^bits[d] sorted
/// reconstruction levels, bits allocated over dimensions by fit-set variance (<see cref="BitAllocation"/>), and
/// a value is coded by its nearest level. Subclasses only place the levels. Before fitting, CodebookSizes shows
/// an even split of the same total, so BitsPerFrame is exact before and after the fit.
/// </summary>
public abstract class ScalarLevelQuantizer : FrameQuantizer
{
    int[] bits;
    Tensor? levels;
    Tensor? thresholds;

    protected ScalarLevelQuantizer(int dimension, int totalBits, int maxBitsPerDimension) : base(dimension)
    {
        if (maxBitsPerDimension is < 0 or > 16)
            throw new ArgumentOutOfRangeException(nameof(maxBitsPerDimension), maxBitsPerDimension, "Bits per dimension must be in [0, 16].");
        if (totalBits < 1 || totalBits > dimension * maxBitsPerDimension)
            throw new ArgumentOutOfRangeException(nameof(totalBits), totalBits,
                $"{dimension} dims of at most {maxBitsPerDimension} bits take 1 to {dimension * maxBitsPerDimension} bits per frame.");
        TotalBits = totalBits;
        MaxBitsPerDimension = maxBitsPerDimension;
        bits = Enumerable.Range(0, dimension).Select(d => totalBits / dimension + (d < totalBits % dimension ? 1 : 0)).ToArray();
    }

    /// <summary>Bits per frame over all dimensions.</summary>
    public int TotalBits { get; }

    public int MaxBitsPerDimension { get; }
    public override int Codebooks => Dimension;
    public override IReadOnlyList<long> CodebookSizes => bits.Select(b => 1L << b).ToArray();
    public override bool IsFitted => levels is not null;

    /// <summary>Bits of each dimension: the fitted allocation, or the even split before fitting.</summary>
    public IReadOnlyList<int> BitsPerDimension => bits;

    /// <summary>Levels [D, 2^max(bits)]: row d's first 2^bits[d] entries ascend, the rest repeat its last; null before fitting.</summary>
    public Tensor? Levels => levels;

    protected sealed override void FitFrames(Tensor frames, IProgress<FitProgress>? progress)
    {
        var variances = frames.var(0, unbiased: false).to_type(ScalarType.Float64).data<double>().ToArray();
        var allocation = BitAllocation.Allocate(variances, TotalBits, MaxBitsPerDimension);
        var sortedColumns = frames.t().sort(1).Values.contiguous();
        SetLevels(allocation, FitLevels(sortedColumns, PadIndex(allocation)));
        progress?.Report(new FitProgress(1, 1, $"levels placed with {string.Join("/", allocation)} bits per dimension"));
    }

    /// <summary>
    /// Levels [D, L] (L = 2^max(bits)) from the fit set's sorted columns [D, N]; <paramref name="padIndex"/> [D, L]
    /// int64 maps each slot to min(slot, levels_d − 1), so a subclass can fill the padding with gather.
    /// </summary>
    protected abstract Tensor FitLevels(Tensor sortedColumns, Tensor padIndex);

    /// <summary>min(slot, 2^bits[d] − 1) for every dimension d and slot in [0, 2^max(bits)): [D, L] int64.</summary>
    protected static Tensor PadIndex(IReadOnlyList<int> allocation)
    {
        var width = 1L << allocation.Max();
        var last = tensor(allocation.Select(b => (1L << b) - 1).ToArray()).unsqueeze(1);
        return minimum(arange(width, dtype: ScalarType.Int64).unsqueeze(0), last);
    }

    /// <summary>Levels of each dimension, 2^bits[d] of them: [D, 1].</summary>
    protected static Tensor LevelCounts(IReadOnlyList<int> allocation) =>
        tensor(allocation.Select(b => (float)(1L << b)).ToArray()).unsqueeze(1);

    /// <summary>Decision thresholds [D, L − 1]: midpoints between levels, +∞ past each dimension's last level.</summary>
    protected static Tensor Thresholds(Tensor levels, Tensor padIndex)
    {
        var width = levels.shape[1];
        var midpoints = (levels.narrow(1, 0, width - 1) + levels.narrow(1, 1, width - 1)) / 2;
        var inside = padIndex.narrow(1, 1, width - 1) > padIndex.narrow(1, 0, width - 1);
        return where(inside, midpoints, full_like(midpoints, double.PositiveInfinity)).contiguous();
    }

    void SetLevels(int[] allocation, Tensor fitted)
    {
        bits = allocation;
        levels = fitted.contiguous().DetachFromDisposeScope();
        thresholds = levels.shape[1] > 1 ? Thresholds(levels, PadIndex(allocation)).DetachFromDisposeScope() : null;
    }

    protected internal override Tensor EncodeFrames(Tensor frames)
    {
        if (thresholds is null) return zeros(frames.shape[0], Dimension, dtype: ScalarType.Int64, device: frames.device);
        return searchsorted(thresholds, frames.t().contiguous()).t();
    }

    protected internal override Tensor DecodeFrames(Tensor codes) => levels!.gather(1, codes.t()).t();

    /// <summary>Settings shared by the scalar kinds; subclasses add their own.</summary>
    protected JsonObject BaseSettings() => new() { ["bits"] = TotalBits, ["maxBitsPerDimension"] = MaxBitsPerDimension };

    protected override (JsonObject Settings, IReadOnlyDictionary<string, Tensor> Tensors) Describe() =>
        (Settings(), new Dictionary<string, Tensor>
        {
            ["bitsPerDimension"] = tensor(bits.Select(b => (long)b).ToArray()),
            ["levels"] = levels!,
        });

    /// <summary>This kind's settings as saved.</summary>
    protected abstract JsonObject Settings();

    /// <summary>Restores a saved allocation and levels after checking they match this quantizer's dimension and total bits.</summary>
    protected void Restore(QuantizerState state)
    {
        var savedBits = state.Tensor("bitsPerDimension");
        var savedLevels = state.Tensor("levels");
        if (savedBits.dtype != ScalarType.Int64 || !savedBits.shape.SequenceEqual([Dimension]))
            throw new InvalidDataException($"bitsPerDimension must be int64 [{Dimension}]");
        var allocation = savedBits.data<long>().Select(b => (int)b).ToArray();
        if (allocation.Sum() != TotalBits || allocation.Any(b => b < 0 || b > MaxBitsPerDimension))
            throw new InvalidDataException($"bitsPerDimension must sum to {TotalBits} with each in [0, {MaxBitsPerDimension}]");
        if (savedLevels.dtype != ScalarType.Float32 || !savedLevels.shape.SequenceEqual([Dimension, 1L << allocation.Max()]))
            throw new InvalidDataException($"levels must be float32 [{Dimension}, {1L << allocation.Max()}]");
        SetLevels(allocation, savedLevels);
    }
}
