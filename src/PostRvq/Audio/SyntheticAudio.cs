namespace PostRvq.Audio;

/// <summary>
/// Deterministic generated audio for smoke runs, benchmarks and tests: harmonic tones with vibrato and a decay,
/// plus filtered noise bursts, so that both pitch and transients are present. Not a substitute for real data.
/// </summary>
public static class SyntheticAudio
{
    public static IReadOnlyList<AudioClip> Clips(int count, double seconds, int sampleRate, int seed = 0)
    {
        var clips = new List<AudioClip>(count);
        for (var i = 0; i < count; i++) clips.Add(Clip(seconds, sampleRate, seed * 7919 + i));
        return clips;
    }

    public static AudioClip Clip(double seconds, int sampleRate, int seed)
    {
        var random = new Random(seed);
        var length = (int)Math.Round(seconds * sampleRate);
        var samples = new float[length];
        var fundamental = 110.0 * Math.Pow(2, random.Next(0, 36) / 12.0);
        var harmonics = random.Next(2, 7);
        var vibrato = 2 + random.NextDouble() * 4;
        double phase = 0, noise = 0;
        var burstEvery = (int)(sampleRate * (0.2 + random.NextDouble() * 0.5));
        for (var n = 0; n < length; n++)
        {
            var t = (double)n / sampleRate;
            phase += 2 * Math.PI * fundamental * (1 + 0.01 * Math.Sin(2 * Math.PI * vibrato * t)) / sampleRate;
            double tone = 0;
            for (var h = 1; h <= harmonics; h++) tone += Math.Sin(h * phase) / h;
            var sinceBurst = n % burstEvery;
            noise = 0.7 * noise + 0.3 * (random.NextDouble() * 2 - 1);
            var burst = noise * Math.Exp(-sinceBurst / (0.02 * sampleRate));
            samples[n] = (float)(0.3 * tone * (0.6 + 0.4 * Math.Cos(2 * Math.PI * 0.5 * t)) + 0.4 * burst);
        }
        return new AudioClip(samples, sampleRate);
    }
}
