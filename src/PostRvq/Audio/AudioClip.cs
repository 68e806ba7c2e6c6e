namespace PostRvq.Audio;

/// <summary>Mono audio: float samples (nominally in [-1, 1]) at a sample rate in Hz.</summary>
/// <remarks>Record equality compares the <see cref="Samples"/> array by reference, not by content.</remarks>
public sealed record AudioClip(float[] Samples, int SampleRate)
{
    public float[] Samples { get; init => field = ValidSamples(value); } = ValidSamples(Samples);

    public int SampleRate { get; init => field = ValidSampleRate(value); } = ValidSampleRate(SampleRate);

    public int Length => Samples.Length;

    public double DurationSeconds => (double)Samples.Length / SampleRate;

    /// <summary>Largest absolute sample value; 0 for an empty clip.</summary>
    public float Peak
    {
        get
        {
            var peak = 0f;
            foreach (var s in Samples)
            {
                peak = MathF.Max(peak, MathF.Abs(s));
            }
            return peak;
        }
    }

    /// <summary>Root mean square of the samples; 0 for an empty clip.</summary>
    public double Rms
    {
        get
        {
            if (Samples.Length == 0)
            {
                return 0;
            }
            var sum = 0.0;
            foreach (var s in Samples)
            {
                sum += (double)s * s;
            }
            return Math.Sqrt(sum / Samples.Length);
        }
    }

    /// <summary>RMS in dB relative to full scale (a full-scale square wave is 0 dBFS); negative infinity for silence.</summary>
    public double RmsDbfs => 20 * Math.Log10(Rms);

    /// <summary>Below −80 dBFS RMS: nothing a scale-invariant metric such as SI-SDR can measure.</summary>
    public bool IsSilent => Rms < 1e-4;

    /// <summary>A copy of samples [start, start + count).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range does not lie inside the clip.</exception>
    public AudioClip SliceSamples(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start, Length);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Length - start);
        return new AudioClip(Samples.AsSpan(start, count).ToArray(), SampleRate);
    }

    /// <summary>A copy of the part starting at <paramref name="startSeconds"/>; times are rounded to the nearest sample.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range does not lie inside the clip.</exception>
    public AudioClip Slice(double startSeconds, double lengthSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(startSeconds);
        ArgumentOutOfRangeException.ThrowIfNegative(lengthSeconds);
        var start = Math.Round(startSeconds * SampleRate);
        var count = Math.Round(lengthSeconds * SampleRate);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start, Length, nameof(startSeconds));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Length - start, nameof(lengthSeconds));
        return SliceSamples((int)start, (int)count);
    }

    /// <summary>A copy scaled so that its peak is at <paramref name="peakDbfs"/>; silence stays silence.</summary>
    public AudioClip Normalized(double peakDbfs)
    {
        var peak = Peak;
        if (peak == 0)
        {
            return this with { Samples = (float[])Samples.Clone() };
        }
        var gain = (float)(Math.Pow(10, peakDbfs / 20) / peak);
        var scaled = new float[Samples.Length];
        for (var i = 0; i < scaled.Length; i++)
        {
            scaled[i] = Samples[i] * gain;
        }
        return this with { Samples = scaled };
    }

    static float[] ValidSamples(float[] samples) =>
        samples ?? throw new ArgumentNullException(nameof(Samples));

    static int ValidSampleRate(int sampleRate) =>
        sampleRate > 0 ? sampleRate : throw new ArgumentOutOfRangeException(nameof(SampleRate), sampleRate, "The sample rate must be positive.");
}
