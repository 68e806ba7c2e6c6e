using System.Globalization;
using PostRvq.Audio;
using PostRvq.Codecs;
using PostRvq.Evaluation;
using PostRvq.Latents;
using PostRvq.Pipeline;
using PostRvq.Quantization;
using PostRvq.Training;
using PostRvq.Viz;

namespace PostRvq.Cli.Pipeline;

/// <summary>
/// The pipeline's last stage: gathers every row, renders the listening table (original, continuous, each bitrate of
/// standardized RVQ, and finetuned and E2E when the run has them) for the first test clips, tests the paper's claims with paired bootstrap intervals, and
/// writes the report folder through <see cref="Report"/>.
/// </summary>
static class PipelineReport
{
    public static void Write(StageContext context, PaperPipelineOptions options, string runFolder)
    {
        string Stage(string name) => Path.Combine(runFolder, name);
        var rows = ComparisonCsv.Read(Path.Combine(Stage("quantizers"), PaperPipeline.RowsFileName)).ToList();
        if (options.HasFinetuned || options.HasFinetunedSet || options.HasE2E) rows.AddRange(ComparisonCsv.Read(Path.Combine(Stage("evaluation"), PaperPipeline.RowsFileName)));
        context.Progress.Report(new StageProgress(0.1, "rendering the listening table"));
        var clips = ListeningTable(options, runFolder);
        context.Progress.Report(new StageProgress(0.6, "writing charts and tables"));
        var claims = Claims.Test(rows, new ClaimOptions { FinetuneKbps = options.FinetuneKbps, Seed = options.Seed });
        var files = Report.Write(context.Folder, new ReportInput
        {
            Title = "PostRvq: post-training quantization on " + options.Data,
            Rows = rows,
            Clips = clips,
            SpectrogramClips = 2,
            Configuration = [.. Configuration(options), new("codebook entries", Fitted(options, runFolder))],
            Claims = claims,
            Reference = PaperReference.Rows,
            Notes = [.. Missing(options), .. claims.Select(c => c.Sentence)],
        }, exportFigures: true);
        if (files.FigureNote.Length > 0) context.Progress.Report(new StageProgress(1, files.FigureNote));
    }

    static List<ReportClip> ListeningTable(PaperPipelineOptions options, string runFolder)
    {
        var (model, _) = ModelFile.Load(Path.Combine(runFolder, "model", PaperPipeline.ModelFileName));
        using var _ = model;
        var listened = ListenedMethod(options);
        var srvq = QuantizerFile.Load(Path.Combine(runFolder, "quantizers", "quantizers", listened + QuantizerFile.Extension));
        var prefix = listened == QuantizerKinds.Srvq ? "" : listened + " ";
        using var finetuned = options.HasFinetuned
            ? Codec.Load(Path.Combine(runFolder, "finetune", PaperPipeline.FinetunedFileName),
                PaperPipelineOptions.QuantizerOf(Path.Combine(runFolder, "finetune", PaperPipeline.FinetunedFileName)), Codec.PostTrainingFinetuned)
            : null;
        using var e2e = options.HasE2E
            ? Codec.Load(Path.Combine(runFolder, "e2e", PaperPipeline.E2EFileName),
                PaperPipelineOptions.QuantizerOf(Path.Combine(runFolder, "e2e", PaperPipeline.E2EFileName)), Codec.EndToEnd)
            : null;
        var test = Data.Corpus.Load(options.Data).Split("test");
        var result = new List<ReportClip>();
        foreach (var entry in test.Entries.Take(options.ReportClips))
        {
            var clip = test.LoadClip(entry, model.Options.SampleRate);
            using var z = LatentCodec.Encode(model, clip);
            var versions = new List<KeyValuePair<string, AudioClip>>
            {
                new("original", clip),
                new("continuous", LatentCodec.Decode(model, z, clip.Length)),
            };
            foreach (var kbps in options.Kbps.OrderDescending())
                versions.Add(new($"{prefix}{kbps:G4} kbps", Quantized(model, srvq, z, clip.Length, kbps)));
            if (finetuned is not null)
                versions.Add(new($"finetuned {options.FinetuneKbps:G4} kbps", Quantized(finetuned.Model, finetuned.Quantizer!, z, clip.Length, options.FinetuneKbps)));
            if (e2e is not null)
                using (var e2eLatents = LatentCodec.Encode(e2e.Model, clip))
                    versions.Add(new($"E2E {options.FinetuneKbps:G4} kbps", Quantized(e2e.Model, e2e.Quantizer!, e2eLatents, clip.Length, options.FinetuneKbps)));
            result.Add(new ReportClip(entry.Id, versions));
        }
        return result;
    }

    /// <summary>Says which rows the run leaves out, and why, before the claims.</summary>
    static List<string> Missing(PaperPipelineOptions options)
    {
        var missing = new List<string>();
        if (!options.HasFinetuned) missing.Add("finetuned");
        if (!options.HasE2E) missing.Add("E2E");
        if (missing.Count == 0) return [];
        return [$"No {string.Join(" or ", missing)} model was given, so the {string.Join(" and ", missing)} rows are left out: they wait for models trained on "
            + $"this continuous model ({options.Model}). The shipped finetuned and E2E models belong to the retired waveform family "
            + "(data/models/tiny-cpu-waveform-*); those for the MDCT tiny-cpu model are not trained yet. "
            + "Pass --finetuned-model and --e2e-model, or --train to train them in this run."];
    }

    /// <summary>Decodes z [1, D, T] quantized at the largest depth within <paramref name="kbps"/>.</summary>
    static AudioClip Quantized(Nn.Autoencoder model, IQuantizer quantizer, TorchSharp.torch.Tensor z, int length, double kbps)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        var chosen = quantizer is ITruncatableQuantizer truncatable
            ? truncatable.Truncate(Metrics.Bitrate.CodebooksFor(kbps, (int)quantizer.CodebookSizes[0], model.Options.FrameRate))
            : quantizer;
        return LatentCodec.Decode(model, chosen.Quantize(z).Quantized, length);
    }

    /// <summary>The method heard at each bitrate: the paper's standardized RVQ, or the first method run without it.</summary>
    static string ListenedMethod(PaperPipelineOptions options) =>
        options.Methods.Contains(QuantizerKinds.Srvq, StringComparer.OrdinalIgnoreCase) ? QuantizerKinds.Srvq : options.Methods[0];

    static string Fitted(PaperPipelineOptions options, string runFolder)
    {
        var listened = ListenedMethod(options);
        var quantizer = QuantizerFile.Load(Path.Combine(runFolder, "quantizers", "quantizers", listened + QuantizerFile.Extension));
        return $"{listened}: {quantizer.CodebookSizes[0]} entries per codebook; 1024 unless the fit set has fewer than 32 frames per entry";
    }

    static List<KeyValuePair<string, string>> Configuration(PaperPipelineOptions options) =>
    [
        new("data", options.Data),
        new("config", options.Config),
        new("models", options.Train ? "trained by this run" : string.Join(", ", new[] { options.Model, options.FinetunedModel, options.E2EModel }.OfType<string>())),
        new("methods", string.Join(", ", options.Methods)),
        new("bitrates (kbps)", string.Join(", ", options.Kbps.Select(k => k.ToString(CultureInfo.InvariantCulture)))),
        new("k-means", $"{options.KMeansIterations} Lloyd iterations, at most {options.MaxTrainFrames} fit frames, seed {options.Seed}"
            + (options.ZeroEntry ? "; every residual stage keeps a zero entry" : "")),
        new("PostRvq", typeof(PaperPipeline).Assembly.GetName().Version?.ToString() ?? "?"),
        new("TorchSharp", typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "?"),
        new(".NET", Environment.Version.ToString()),
        new("machine", $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}"),
    ];
}
