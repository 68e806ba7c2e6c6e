using PostRvq.Audio;
using PostRvq.Evaluation;
using PostRvq.IO;
using PostRvq.Latents;
using PostRvq.Metrics;
using PostRvq.Nn;
using PostRvq.Quantization;
using static TorchSharp.torch;

namespace PostRvq.Tests;

/// <summary>The comparison harness on a tiny random model; it seeds torch's global RNG, so it runs alone.</summary>
[Collection(SerialCollection.Name)]
public class QuantizerComparisonTests
{
    // 16-entry codebooks at 75 Hz cost 0.3 kbps each: 0.7 kbps buys 2 codebooks, 1.6 kbps buys 5.
    static readonly ComparisonOptions Quick = new()
    {
        Methods = ["rvq", "srvq"],
        TargetKbps = [0.7, 1.6],
        CodebookSize = 16,
        KMeans = new KMeansOptions { Iterations = 4 },
    };

    static Autoencoder TinyModel()
    {
        manual_seed(11);
        return Autoencoder.Create(new AutoencoderOptions { EncoderDim = 2, LatentDim = 8, DecoderDim = 16, ConvInitStd = 0.3 });
    }

    static LatentSet TrainLatents(Autoencoder model) => LatentSets.Encode(model, SyntheticAudio.Clips(2, 0.5, 24000, seed: 2));

    static IReadOnlyList<AudioClip> EvaluationClips => SyntheticAudio.Clips(2, 0.3, 24000, seed: 9);

    /// <summary>An RVQ that hides its truncation, so the harness must fit it once per bitrate.</summary>
    sealed class WholeRvq(ResidualVectorQuantizer inner) : DelegatingQuantizer(inner)
    {
        public int Fits { get; private set; }
        public override string Kind => "whole-rvq";

        public override void Fit(Tensor latents, IProgress<FitProgress>? progress = null)
        {
            Fits++;
            base.Fit(latents, progress);
        }
    }

    [Fact]
    public void RowsForEachMethodAndBitrate_AtExactRatesWithinTheTargets()
    {
        using var model = TinyModel();
        using var train = TrainLatents(model) with { ModelId = "0123456789abcdef" };
        using var folder = new TempFolder();
        var created = new List<WholeRvq>();
        var whole = new QuantizerMethod("whole-rvq", "RVQ without truncation", request =>
        {
            var quantizer = new WholeRvq(new ResidualVectorQuantizer(request.Dimension, QuantizerZoo.RvqFor(request)));
            created.Add(quantizer);
            return quantizer;
        });
        var events = new List<ComparisonProgress>();
        var options = Quick with { OutputFolder = folder.Path, SaveCodes = true };
        var rows = QuantizerComparison.Run(options, [QuantizerZoo.Get("rvq"), QuantizerZoo.Get("srvq"), whole], model, train, EvaluationClips,
            new SynchronousProgress(events.Add), ["x", "y"], trainingSteps: 42);

        Assert.Equal(["continuous", "rvq", "rvq", "srvq", "srvq", "whole-rvq", "whole-rvq"], rows.Select(r => r.Method));
        Assert.True(double.IsNaN(rows[0].Kbps) && double.IsNaN(rows[0].LatentMse));
        Assert.All(rows, row =>
        {
            Assert.Equal(42, row.TrainingSteps);
            Assert.Equal("test", row.Split);
            Assert.Equal(2, row.Clips.Count);
            Assert.Equal(row.Mel, row.Clips.Average(c => c.Mel), 9);
        });
        foreach (var row in rows.Skip(1))
        {
            Assert.True(row.Kbps <= row.TargetKbps, $"{row.Method}: {row.Kbps} kbps over {row.TargetKbps}");
            Assert.Equal(Bitrate.Kbps(row.Codebooks, 16, 75), row.Kbps);
            Assert.Equal(row.TargetKbps == 0.7 ? 2 : 5, row.Codebooks);
            Assert.InRange(row.CodebookUsage, 1.0 / 16, 1.0);
            Assert.InRange(row.Perplexity, 1.0, 16.0);
            Assert.InRange(row.EntropyKbps, 0, row.Kbps + 1e-9);
            Assert.True(row.FitSeconds > 0 && row.EncodeSeconds > 0);
        }
        // Truncatable families are fitted once; the others once per bitrate.
        Assert.Equal(rows[1].FitSeconds, rows[2].FitSeconds);
        Assert.Equal(2, created.Count);
        Assert.All(created, q => Assert.Equal(1, q.Fits));
        Assert.Equal(rows[2].LatentMse, rows[6].LatentMse, 6);
        Assert.Contains(events, e => e.Method == "srvq" && e.Done == e.Total);

        var saved = QuantizerFile.Load(Path.Combine(folder.Path, "quantizers", "rvq.quantizer"));
        Assert.Equal(5, saved.Codebooks);
        Assert.Equal("0123456789abcdef", QuantizerFile.ReadState(Path.Combine(folder.Path, "quantizers", "srvq.quantizer")).Provenance["modelId"]);
        var codes = SafetensorsFile.Load(Path.Combine(folder.Path, "codes.safetensors"));
        var frames = content(codes, "clip_frames").data<long>().ToArray();
        Assert.Equal([23L, 23L], frames);
        Assert.Equal([46L, 2L], content(codes, "rvq@0.7kbps").shape);
        Assert.Equal("[\"x\",\"y\"]", codes.Metadata["clip_ids"]);
        foreach (var value in codes.Tensors.Values) value.Dispose();

        static Tensor content(SafetensorsContent file, string name) => file.Tensor(name);
    }

    [Fact]
    public void MoreBitsGiveLowerLatentErrorForRvq()
    {
        using var model = TinyModel();
        using var train = TrainLatents(model);
        var rows = QuantizerComparison.Run(Quick with { Methods = ["rvq"], TargetKbps = [0.3, 0.9, 2.4], IncludeContinuous = false, MaxTrainFrames = 60 },
            model, train, EvaluationClips);
        Assert.Equal([1, 3, 8], rows.Select(r => r.Codebooks));
        Assert.True(rows[0].LatentMse > rows[1].LatentMse && rows[1].LatentMse > rows[2].LatentMse, string.Join(", ", rows.Select(r => r.LatentMse)));
        Assert.True(rows[2].LatentSnrDb > rows[0].LatentSnrDb);
    }

    [Fact]
    public void UnknownMethodsAndMismatchedLatentsAreRefused()
    {
        var unknown = Assert.Throws<ArgumentException>(() => (Quick with { Methods = ["rvq", "no-such-method"] }).Validate());
        Assert.Contains("no-such-method", unknown.Message);
        Assert.Contains("rvq", unknown.Message);

        using var model = TinyModel();
        using var wrong = new LatentSet { Frames = randn(100, 5), FrameRate = 75, SampleRate = 24000, ClipIds = ["a"], ClipFrames = [100] };
        var mismatch = Assert.Throws<ArgumentException>(() => QuantizerComparison.Run(Quick, model, wrong, EvaluationClips));
        Assert.Contains("D = 5", mismatch.Message);
    }

    [Fact]
    public void DefaultsAreThePapersAndListOnlyRegisteredMethods()
    {
        var defaults = new ComparisonOptions();
        Assert.Equal([3.0, 10, 16, 24], defaults.TargetKbps);
        Assert.Equal(1024, defaults.CodebookSize);
        Assert.Equal(25, defaults.KMeans.Iterations);
        Assert.Equal(0, defaults.Seed);
        Assert.Equal(["rvq", "srvq"], defaults.Methods.Take(2));
        Assert.All(defaults.Methods, name => QuantizerZoo.Get(name));
    }

    [Fact]
    public void CsvRoundTripsEveryField()
    {
        ComparisonRow[] rows =
        [
            new() { Method = "continuous", Split = "test", Mel = 1.5, Stft = 0.25, SiSdr = -3.125, Snr = 2, EncodeSeconds = 0.1, TrainingSteps = 7,
                Clips = [new AudioMetricValues(1, 0.2, -3, 2), new AudioMetricValues(2, 0.3, -3.25, 2)] },
            new() { Method = "my,quantizer \"v2\"", Split = "test", TargetKbps = 3, Kbps = 2.25, Codebooks = 3, LatentMse = 0.1 / 3, LatentSnrDb = 12.5,
                CodebookUsage = 0.75, Perplexity = 700.125, EntropyKbps = 2.1, Mel = 1, Stft = 2, SiSdr = 3, Snr = double.NegativeInfinity,
                FitSeconds = 1e-7, EncodeSeconds = 3, TrainingSteps = long.MaxValue, Clips = [] },
        ];
        using var folder = new TempFolder();
        var path = folder.File("results.csv");
        ComparisonCsv.Write(path, rows);
        var lines = File.ReadAllLines(path);
        Assert.Equal(ComparisonCsv.Header, lines[0]);
        Assert.Equal(3, lines.Length);
        var back = ComparisonCsv.Read(path);
        Assert.Equal(ComparisonCsv.ToCsv(rows), ComparisonCsv.ToCsv(back));
        Assert.Equal(rows[1].Method, back[1].Method);
        Assert.Equal(rows[0].Clips, back[0].Clips);
        Assert.Equal(rows[1] with { Clips = back[1].Clips }, back[1]);
        Assert.True(double.IsNaN(back[0].Kbps));
    }

    /// <summary>A researcher's quantizer that leaves temporaries to the caller's dispose scope, as torch code often does.</summary>
    sealed class LitteringRvq(ResidualVectorQuantizer inner) : DelegatingQuantizer(inner)
    {
        public override string Kind => "littering-rvq";

        public override Tensor Encode(Tensor z)
        {
            for (var i = 0; i < 10; i++) _ = z * 2;
            return base.Encode(z);
        }
    }

    [Fact]
    public void ScoringAFittedQuantizer_KeepsOnlyCodesAndDecodedLatentsPerClip()
    {
        using var model = TinyModel();
        using var train = TrainLatents(model);
        var rvq = new ResidualVectorQuantizer(8, new RvqOptions { Codebooks = 4, CodebookSize = 16, KMeans = new KMeansOptions { Iterations = 2 } });
        rvq.Fit(train.Frames);
        var littering = new LitteringRvq(rvq);
        var stats = TorchSharp.DisposeScopeManager.Statistics;
        // The most tensors alive at any progress report: the last one comes after every clip is coded and decoded.
        long PeakLive(int clips)
        {
            var peak = 0L;
            QuantizerComparison.EvaluateFitted(new ComparisonOptions { TargetKbps = [0.7] }, "littering-rvq", model, littering,
                SyntheticAudio.Clips(clips, 0.3, 24000, seed: 9), progress: new SynchronousProgress(_ => peak = Math.Max(peak, stats.ThreadTotalLiveCount)));
            return peak;
        }

        var perClip = (PeakLive(10) - PeakLive(2)) / 8.0;
        // Each clip keeps its latents, codes and decoded latents; its ten temporaries must be gone.
        Assert.InRange(perClip, 0, 4);
    }

    [Fact]
    public void ScoringBatches_GroupEqualLengthsWithinTheSampleBudget()
    {
        int[] lengths = [100, 100, 50, 100, 100, 100, 500, 50];
        var batches = QuantizerComparison.ScoringBatches(lengths, maxSamples: 250).ToList();

        Assert.Equal(Enumerable.Range(0, lengths.Length), batches.SelectMany(b => b).Order());
        Assert.All(batches, b => Assert.Single(b.Select(i => lengths[i]).Distinct()));
        // A clip longer than the budget goes alone; otherwise a batch stays within it.
        Assert.All(batches, b => Assert.True(b.Count == 1 || b.Sum(i => lengths[i]) <= 250));
        Assert.Equal([2, 2, 1, 2, 1], batches.Select(b => b.Count));
    }

    [Fact]
    public void ScoringInSmallBatches_GivesTheSameMetricsAsOneBatch()
    {
        var references = SyntheticAudio.Clips(5, 0.3, 24000, seed: 3);
        var decoded = SyntheticAudio.Clips(5, 0.3, 24000, seed: 4);
        var together = QuantizerComparison.Score(references, decoded, maxBatchSamples: long.MaxValue);
        var apart = QuantizerComparison.Score(references, decoded, maxBatchSamples: 1);

        for (var i = 0; i < references.Count; i++)
        {
            Assert.Equal(together[i].Mel, apart[i].Mel, 1e-5);
            Assert.Equal(together[i].SiSdr, apart[i].SiSdr, 1e-4);
        }
    }

    sealed class SynchronousProgress(Action<ComparisonProgress> report) : IProgress<ComparisonProgress>
    {
        public void Report(ComparisonProgress value) => report(value);
    }
}
