using System.CommandLine;
using System.Text.Json.Nodes;
using PostRvq.Audio;
using PostRvq.Cli;
using PostRvq.Codecs;
using PostRvq.Evaluation;
using PostRvq.Latents;
using PostRvq.Metrics;
using PostRvq.Quantization;
using PostRvq.Training;
using static TorchSharp.torch;

namespace PostRvq.Tests.Reliability;

/// <summary>
/// Issue 14, items 4–10 and 12: every bad input gets one clear line, and no wrong number is presented as right. Each
/// test feeds the input the issue reports and checks the refusal (or the skip) and the line that names it.
/// </summary>
[Collection(SerialCollection.Name)]
public class BadInputTests
{
    static readonly string ShippedModel = RepositoryFiles.Path("data", "models", "tiny-cpu.model");

    /// <summary>A good 1 s clip, a WAV header with no data, and a one-sample WAV, in a plain folder.</summary>
    static string ShortClipCorpus(TempFolder folder)
    {
        var data = folder.File("data");
        Directory.CreateDirectory(data);
        WavWriter.Write(Path.Combine(data, "good.wav"), SyntheticAudio.Clips(1, 1.0, 24000)[0]);
        File.WriteAllBytes(Path.Combine(data, "empty.wav"), TestAudio.Wav(1, 1, 24000, 16, []));
        File.WriteAllBytes(Path.Combine(data, "one.wav"), TestAudio.Wav(1, 1, 24000, 16, [0x10, 0x20]));
        return data;
    }

    /// <summary>An RVQ of 4 × 32 entries on the shipped model's 64-d latents: one codebook is 5 bits × 75 frames/s = 0.375 kbps.</summary>
    static string SmallRvq(TempFolder folder)
    {
        var path = folder.File("small" + QuantizerFile.Extension);
        var rvq = new ResidualVectorQuantizer(64, new RvqOptions { Codebooks = 4, CodebookSize = 32, KMeans = new KMeansOptions { Iterations = 2 } });
        using (var latents = randn(400, 64, generator: new Generator(5))) rvq.Fit(latents);
        rvq.Save(path);
        return path;
    }

    static string Fails((int Code, string Output, string Error) result)
    {
        Assert.True(result.Code == 1, $"exit {result.Code}; stdout: {result.Output}; stderr: {result.Error}");
        return result.Error;
    }

    // Item 4 -----------------------------------------------------------------------------------------------------

    [Fact]
    public void AnEmptyOrOneSampleSignalIsRefusedByTheMetricsInsteadOfScoring120Decibels()
    {
        using var scope = NewDisposeScope();
        foreach (var length in new[] { 0, 1, AudioMetrics.MinimumLength - 1 })
        {
            var silence = zeros(1, length);
            var error = Assert.Throws<ArgumentException>(() => AudioMetrics.Compute(silence, silence, 24000));
            Assert.Contains($"{length} samples are too few to score; at least 2048 are needed", error.Message);
        }
        Assert.Throws<ArgumentException>(() => SiSdr.Compute(ones(1, 1), ones(1, 1)));
        Assert.Throws<ArgumentException>(() => Snr.Compute(zeros(1, 0), zeros(1, 0)));
        var enough = randn(1, AudioMetrics.MinimumLength);
        Assert.Single(AudioMetrics.Compute(enough, enough * 0.5, 24000));
    }

    [Fact]
    public void EvaluateSkipsAndNamesClipsTooShortToScoreAndLeavesThemOutOfTheMean()
    {
        using var folder = new TempFolder();
        var data = ShortClipCorpus(folder);
        var json = folder.File("scores.json");

        var (code, output, error) = CliRunner.Run("evaluate", "--model", ShippedModel, "--data", data, "--split", "all", "--json", json);

        Assert.True(code == 0, error);
        Assert.Contains("not scored, 2 clip(s) shorter than the metrics' 2048-sample window (85.3 ms at 24000 Hz): empty (0 samples), one (1 samples)", error);
        Assert.DoesNotContain("empty", output);
        var scores = JsonNode.Parse(File.ReadAllText(json))!;
        var clip = Assert.Single(scores["clips"]!.AsArray())!;
        Assert.Equal("good", clip["clip"]!.GetValue<string>());
        var siSdr = clip["metrics"]!["SiSdr"]!.GetValue<double>();
        Assert.True(siSdr < 100, $"SI-SDR {siSdr}");
        Assert.Equal(siSdr, scores["mean"]!["SiSdr"]!.GetValue<double>());
    }

    [Fact]
    public void ACodecEvaluationSkipsShortClipsAndTheComparisonRefusesThemByName()
    {
        using var folder = new TempFolder();
        var data = ShortClipCorpus(folder);
        var quantizer = SmallRvq(folder);

        var (code, _, error) = CliRunner.Run("evaluate", "--model", ShippedModel, "--quantizer", quantizer, "--data", data, "--split", "all", "--kbps", "0.75");

        Assert.True(code == 0, error);
        Assert.Contains("empty (0 samples), one (1 samples)", error);
        var (model, _) = ModelFile.Load(ShippedModel);
        using (model)
        {
            var clips = new[] { SyntheticAudio.Clips(1, 0.5, 24000)[0], new AudioClip([0.1f], 24000) };
            var refused = Assert.Throws<ArgumentException>(() =>
                QuantizerComparison.EvaluateFitted(new ComparisonOptions { TargetKbps = [0.75] }, "rvq", model, QuantizerFile.Load(quantizer), clips));
            Assert.Contains("Evaluation clip clip-001 has 1 samples, fewer than the 2048 the audio metrics need", refused.Message);
        }
    }

    // Item 5 -----------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(1e30f, "1E+30")]
    [InlineData(-4.5f, "-4.5")]
    public void AFloatWavBeyondFourTimesFullScaleIsRefusedWithItsPeak(float peak, string shown)
    {
        using var folder = new TempFolder();
        var data = folder.File("data");
        Directory.CreateDirectory(data);
        var path = Path.Combine(data, "loud.wav");
        File.WriteAllBytes(path, TestAudio.Wav(3, 1, 24000, 32, new[] { 0.1f, peak, 0.2f }.SelectMany(BitConverter.GetBytes).ToArray()));

        var error = Assert.Throws<AudioFormatException>(() => AudioFile.Read(path));
        Assert.Equal(path, error.Path);
        Assert.Contains($"the peak sample is {shown} (sample 1), beyond ±4", error.Reason);
        Assert.Contains($"{path}: the peak sample is {shown}", Fails(CliRunner.Run("evaluate", "--model", ShippedModel, "--data", data)));

        File.WriteAllBytes(path, TestAudio.Wav(3, 1, 24000, 32, new[] { 0.1f, 3.9f, -1.2f }.SelectMany(BitConverter.GetBytes).ToArray()));
        Assert.Equal(3.9f, AudioFile.Read(path).Peak);
    }

    // Item 6 -----------------------------------------------------------------------------------------------------

    [Fact]
    public void KbpsBelowOneCodebookIsRefusedWithTheSmallestBitrateEverywhere()
    {
        using var folder = new TempFolder();
        var quantizer = SmallRvq(folder);
        var clip = folder.File("clip.wav");
        WavWriter.Write(clip, SyntheticAudio.Clips(1, 0.5, 24000)[0]);
        const string Smallest = "0.2 kbps is below one codebook: the smallest bitrate possible is 0.375 kbps (one 32-entry codebook at 75 frames/s)";

        Assert.Contains(Smallest, Fails(CliRunner.Run("encode", clip, "--model", ShippedModel, "--quantizer", quantizer, "--kbps", "0.2", "-o", folder.File("a.codes"))));
        Assert.False(File.Exists(folder.File("a.codes")));
        Assert.Contains(Smallest, Fails(CliRunner.Run("evaluate", "--model", ShippedModel, "--quantizer", quantizer, "--data", folder.Path, "--kbps", "0.2,0.75")));

        // Exactly one codebook is reachable, and the bitrate used is the one asked for.
        var (code, _, error) = CliRunner.Run("encode", clip, "--model", ShippedModel, "--quantizer", quantizer, "--kbps", "0.375", "-o", folder.File("b.codes"));
        Assert.True(code == 0, error);
        Assert.Equal([5], CodesFile.Load(folder.File("b.codes")).Bits);
        var library = Assert.Throws<ArgumentException>(() => Bitrate.RequireOneCodebook(0.5, 1024, 75, "--kbps"));
        Assert.StartsWith("--kbps 0.5 kbps is below one codebook: the smallest bitrate possible is 0.75 kbps", library.Message);
    }

    // Item 7 -----------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("training", "learningRateDecay", 1.5)]
    [InlineData("training", "learningRateDecay", 0)]
    [InlineData("training", "weightDecay", -0.01)]
    [InlineData("training", "beta2", 1)]
    [InlineData("training", "cropSeconds", 0.01)]
    [InlineData("training", "validationSeconds", 0.05)]
    [InlineData("training", "batchSize", 0)]
    [InlineData("loss", "mel", -1)]
    [InlineData("finetune", "kbps", 0)]
    [InlineData("e2e", "quantizerDropout", 1.5)]
    [InlineData("e2e", "emaDecay", 1)]
    [InlineData("e2e", "deadCodeSteps", 0)]
    [InlineData("discriminator", "stftHopFactor", 0)]
    [InlineData("model", "sampleRate", 0)]
    [InlineData("model", "frameKernel", 4)]
    public void ANumericConfigFieldOutOfRangeIsRefusedBySectionAndField(string section, string field, double value)
    {
        var json = JsonNode.Parse(ExperimentConfig.Load("tiny-cpu").ToJson())!;
        Assert.NotNull(json[section]![field]);
        json[section]![field] = value;

        var error = Assert.Throws<ConfigException>(() => ExperimentConfig.Parse(json.ToJsonString(), "bad.json"));

        Assert.StartsWith("bad.json: ", error.Message);
        Assert.Contains($"{section}.{field}", error.Message);
        Assert.DoesNotContain("(Parameter", error.Message);
    }

    [Fact]
    public void EveryPresetStillValidates()
    {
        foreach (var preset in ExperimentConfig.Presets) ExperimentConfig.Load(preset).Validate();
    }

    // Item 8 -----------------------------------------------------------------------------------------------------

    [Fact]
    public void ACropLongerThanEveryTrainingClipIsRefusedBeforeTheFirstStep()
    {
        using var folder = new TempFolder();
        var data = TinyCli.Corpus(folder);
        var config = folder.File("long-crop.json");
        var tiny = TinyExperiment.Config(3, adversarial: false);
        File.WriteAllText(config, (tiny with { Training = tiny.Training with { CropSeconds = 5 } }).ToJson());

        var error = Fails(CliRunner.Run("train", "--config", config, "--data", data, "--out", folder.File("run")));

        Assert.Contains("training.cropSeconds 5 s is longer than every training clip; the longest, clip0, is 0.6 s", error);
        Assert.False(File.Exists(Path.Combine(folder.File("run"), Checkpoint.FileName)));
        using var run = new TempFolder();
        var library = Assert.Throws<ArgumentException>(() => new ContinuousTrainer(tiny with { Training = tiny.Training with { CropSeconds = 5 } },
            TinyExperiment.Train, TinyExperiment.Valid, run.Path));
        Assert.Contains("the longest, clip 1 of 6, is 1 s", library.Message);
    }

    // Item 9 -----------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("train", "--config", "tiny-cpu", "--data", "/no/data", "--out", "/no/run")]
    [InlineData("e2e", "--config", "tiny-cpu", "--data", "/no/data", "--out", "/no/run")]
    [InlineData("quantize", "--latents", "/no/latents", "--model", "/no/m.model", "--data", "/no/data", "--out", "/no/q")]
    [InlineData("pipeline", "--out", "/no/pipeline")]
    [InlineData("evaluate", "--model", "/no/m.model", "--data", "/no/data")]
    [InlineData("encode", "/no/clip.wav", "--model", "/no/m.model", "--quantizer", "/no/m.quantizer", "--out", "/no/clip.codes")]
    [InlineData("decode", "/no/clip.codes", "--model", "/no/m.model", "--quantizer", "/no/m.quantizer", "--out", "/no/clip.wav")]
    [InlineData("latents", "--model", "/no/m.model", "--data", "/no/data", "--out", "/no/latents")]
    [InlineData("reconstruct", "--model", "/no/m.model", "--in", "/no/clip.wav", "--out", "/no/clip.wav")]
    [InlineData("bench", "train")]
    [InlineData("bench", "quantize")]
    public void ThreadsZeroIsRefusedByNameBeforeReachingLibtorch(params string[] command)
    {
        var error = Fails(CliRunner.Run([.. command, "--threads", "0"]));
        Assert.Equal("error: --threads must be at least 1, not 0; leave it out to use all cores", error.Trim());
    }

    // Item 10 ----------------------------------------------------------------------------------------------------

    [Fact]
    public void AHugeChunkIsRefusedByNameInsteadOfOverflowing()
    {
        using var folder = new TempFolder();
        var clip = folder.File("clip.wav");
        WavWriter.Write(clip, SyntheticAudio.Clips(1, 0.5, 24000)[0]);
        const string Refusal = "error: --chunk-seconds must be more than 0 and at most 3600, not 1000000000";

        Assert.Equal(Refusal, Fails(CliRunner.Run("reconstruct", "--model", ShippedModel, "--in", clip, "--out", folder.File("out.wav"), "--chunk-seconds", "1e9")).Trim());
        Assert.Equal(Refusal, Fails(CliRunner.Run("latents", "--model", ShippedModel, "--data", folder.Path, "--out", folder.File("z"), "--chunk-seconds", "1e9")).Trim());
        Assert.False(File.Exists(folder.File("out.wav")));

        var (model, _) = ModelFile.Load(ShippedModel);
        using (model)
        {
            var huge = new ChunkingOptions { ChunkSeconds = 1e9 };
            var audio = AudioFile.Read(clip);
            Assert.Contains("ChunkSeconds must be more than 0 and at most 3600 s", Assert.Throws<ArgumentException>(() => Reconstruction.Run(model, audio, huge)).Message);
            Assert.Contains("ChunkSeconds", Assert.Throws<ArgumentException>(() => LatentCodec.Encode(model, audio, huge)).Message);
            Assert.Equal(audio.Length, Reconstruction.Run(model, audio, new ChunkingOptions { ChunkSeconds = ChunkingOptions.MaxChunkSeconds }).Length);
        }
    }

    // Item 12 ----------------------------------------------------------------------------------------------------

    /// <summary>The real CLI plus a command whose action hits a genuine libtorch error on its input, as a bug would.</summary>
    static RootCommand WithNativeFailure()
    {
        var root = PostRvqCli.Build();
        var input = new Argument<string>("input");
        var command = new Command("native-failure") { input };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            using var scope = NewDisposeScope();
            ones(2).view(3);
            return 0;
        }));
        root.Subcommands.Add(command);
        return root;
    }

    [Fact]
    public void ANativeExceptionIsOneLineNamingTheCommandAndInputWithTheTraceOnlyUnderVerbose()
    {
        var (code, output, error) = CliRunner.Run(WithNativeFailure(), "native-failure", "song.wav");

        Assert.Equal(1, code);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: postrvq native-failure (song.wav) failed: ", line);
        Assert.Contains("[ExternalException]", line);
        Assert.EndsWith("run it again with --verbose for the full trace", line.Trim());
        Assert.DoesNotContain("   at ", error + output);

        var (verboseCode, _, trace) = CliRunner.Run(WithNativeFailure(), "native-failure", "song.wav", "--verbose");
        Assert.Equal(1, verboseCode);
        Assert.StartsWith("error: postrvq native-failure (song.wav) failed: ", trace);
        Assert.Contains("   at ", trace);
    }

    [Fact]
    public void VerboseAlsoTracesAnOrdinaryErrorAndIsAcceptedByEveryCommand()
    {
        var quiet = Fails(CliRunner.Run("evaluate", "--model", "/no/such.model", "--data", "/no/data"));
        Assert.Single(quiet.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var traced = Fails(CliRunner.Run("evaluate", "--model", "/no/such.model", "--data", "/no/data", "--verbose"));
        Assert.Contains("/no/such.model", traced);
        Assert.Contains("   at ", traced);
    }
}
