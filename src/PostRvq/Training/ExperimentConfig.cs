using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using PostRvq.Discriminators;
using PostRvq.Nn;
using PostRvq.Quantization.InLoop;

namespace PostRvq.Training;

/// <summary>
/// Everything that defines a training run: the autoencoder, its discriminators, the loss weights, the
/// optimisation, and the finetuning and end-to-end sections of the later stages. Presets live in <c>configs/NAME.json</c> and are embedded in the library, so
/// <c>Load("tiny-cpu")</c> works from any folder; any other argument is read as a JSON file path.
/// </summary>
public sealed record ExperimentConfig
{
    public string Name { get; init; } = "custom";
    public AutoencoderOptions Model { get; init; } = new();
    public DiscriminatorOptions Discriminator { get; init; } = new();
    public LossWeights Loss { get; init; } = new();
    public TrainingOptions Training { get; init; } = new();
    /// <summary>Step 3: decoder finetuning on quantized latents.</summary>
    public FinetuneOptions Finetune { get; init; } = new();
    /// <summary>The end-to-end RVQ baseline's in-loop quantizer; it trains with the <see cref="Training"/> budget.</summary>
    [JsonPropertyName("e2e")]
    public E2EQuantizerOptions E2E { get; init; } = new();

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        // A misspelt key must be an error, not a silently ignored default.
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Names of the embedded presets.</summary>
    public static IReadOnlyList<string> Presets =>
        typeof(ExperimentConfig).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("configs/", StringComparison.Ordinal))
            .Select(n => Path.GetFileNameWithoutExtension(n))
            .Order()
            .ToList();

    /// <summary>
    /// Loads a preset by name (e.g. <c>tiny-cpu</c>) or a JSON file by path, applies the <c>section.key=value</c>
    /// <paramref name="overrides"/> (see <see cref="ConfigOverrides"/>), and validates it.
    /// </summary>
    /// <exception cref="ConfigException">Unknown preset, missing file, bad JSON, unknown key or invalid value.</exception>
    public static ExperimentConfig Load(string nameOrPath, IReadOnlyList<string>? overrides = null)
    {
        var (json, source) = ReadText(nameOrPath);
        if (overrides is { Count: > 0 })
        {
            json = ConfigOverrides.Apply(json, overrides, source);
            source = $"{source} with --set {string.Join(" ", overrides)}";
        }
        return Parse(json, source);
    }

    static (string Json, string Source) ReadText(string nameOrPath)
    {
        if (File.Exists(nameOrPath)) return (File.ReadAllText(nameOrPath), nameOrPath);
        using var resource = typeof(ExperimentConfig).Assembly.GetManifestResourceStream($"configs/{nameOrPath}.json");
        if (resource is null)
            throw new ConfigException(
                $"'{nameOrPath}' is neither a config file nor a preset; presets: {string.Join(", ", Presets)}");
        using var reader = new StreamReader(resource);
        return (reader.ReadToEnd(), $"configs/{nameOrPath}.json");
    }

    /// <summary>Parses and validates config JSON; <paramref name="source"/> names it in errors.</summary>
    public static ExperimentConfig Parse(string json, string source)
    {
        ExperimentConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<ExperimentConfig>(json, Json);
        }
        catch (JsonException e)
        {
            throw new ConfigException($"{source}: {e.Message}");
        }
        if (config is null) throw new ConfigException($"{source}: the file holds no config");
        try
        {
            config.Validate();
        }
        catch (ArgumentException e)
        {
            throw new ConfigException($"{source}: {e.Message}");
        }
        return config;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> that names the section and option at fault.</summary>
    public void Validate()
    {
        foreach (var (name, section) in new (string, object?)[]
                 { ("model", Model), ("discriminator", Discriminator), ("loss", Loss), ("training", Training), ("finetune", Finetune), ("e2e", E2E) })
            if (section is null) throw new ArgumentException($"{name} must be an object, not null");
        Section("model", Model.Validate);
        Section("discriminator", Discriminator.Validate);
        Loss.Validate();
        Training.Validate();
        Finetune.Validate();
        E2E.Validate();
        // The losses and STFT discriminators frame each crop with windows up to this long, reflect-padded by half a
        // window, which libtorch refuses on a crop too short; a crop below the longest window gives that scale no frame.
        var window = Math.Max(Math.Max(Metrics.MelDistance.MinimumLength, Losses.MultiResolutionStftLoss.DefaultFftSizes.Max()), Discriminator.StftWindows.Max());
        var cropSamples = Math.Round(Training.CropSeconds * Model.SampleRate);
        if (cropSamples < window)
            throw new ArgumentException($"training.cropSeconds {Training.CropSeconds} is {cropSamples} samples at model.sampleRate {Model.SampleRate}, "
                + $"fewer than the {window}-sample longest window of the losses and discriminators");
        // Validation scores fixed crops of this length, and the metrics refuse anything shorter than their longest window.
        var validationSamples = Math.Round(Training.ValidationSeconds * Model.SampleRate);
        if (validationSamples < Metrics.AudioMetrics.MinimumLength)
            throw new ArgumentException($"training.validationSeconds {Training.ValidationSeconds} is {validationSamples} samples at model.sampleRate "
                + $"{Model.SampleRate}, fewer than the {Metrics.AudioMetrics.MinimumLength} the validation metrics need");
    }

    /// <summary>Runs a section's own validation and names the section and, when the error says which, the JSON field.</summary>
    static void Section(string name, Action validate)
    {
        try
        {
            validate();
        }
        catch (ArgumentException e)
        {
            if (e.ParamName is not { Length: > 0 } field) throw new ArgumentException($"{name}: {e.Message}", e);
            var reason = e.Message.Replace($" (Parameter '{field}')", "");
            throw new ArgumentException($"{name}.{JsonNamingPolicy.CamelCase.ConvertName(field)}: {reason}", e);
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);
}

/// <summary>A config that cannot be used, with the file and the reason.</summary>
public sealed class ConfigException(string message) : Exception(message);
