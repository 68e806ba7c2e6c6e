using PostRvq.Audio;

namespace PostRvq.Tests.Reliability;

/// <summary>Small corpora and runs for the reliability tests: a few short synthetic clips and a three-step training run.</summary>
static class TinyCli
{
    /// <summary>A plain folder of <paramref name="count"/> short clips at the tiny model's rate.</summary>
    public static string Corpus(TempFolder folder, string name = "data", int count = 3)
    {
        var data = folder.File(name);
        Directory.CreateDirectory(data);
        var clips = SyntheticAudio.Clips(count, 0.6, TinyExperiment.SampleRate);
        for (var i = 0; i < clips.Count; i++) WavWriter.Write(Path.Combine(data, $"clip{i}.wav"), clips[i]);
        return data;
    }

    /// <summary>The tiny test config as a JSON file, trained for <paramref name="steps"/> steps without the GAN.</summary>
    public static string Config(TempFolder folder, int steps = 3, int checkpointEvery = 1000)
    {
        var path = folder.File("tiny.json");
        File.WriteAllText(path, TinyExperiment.Config(steps, adversarial: false, checkpointEvery).ToJson());
        return path;
    }

    /// <summary>Console output with Spectre's line wrapping undone, for substring checks.</summary>
    public static string Flat(string output) => System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " ");

    /// <summary>Trains a three-step run through the CLI and returns its folder (which holds checkpoint.ckpt).</summary>
    public static string TrainedRun(TempFolder folder, string data)
    {
        var run = folder.File("run");
        var (code, _, error) = CliRunner.Run("train", "--config", Config(folder), "--data", data, "--out", run);
        Assert.True(code == 0, error);
        return run;
    }
}
