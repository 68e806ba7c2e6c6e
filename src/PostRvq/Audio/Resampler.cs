using System.Numerics;
using System.Runtime.InteropServices;
using MathNet.Numerics;

namespace PostRvq.Audio;

/// <summary>
/// Band-limited sample-rate conversion by Kaiser-windowed sinc interpolation in polyphase form
/// (J. O. Smith, "Digital Audio Resampling", CCRMA; window from Kaiser &amp; Schafer, 1980).
/// </summary>
/// <remarks>
/// The low-pass cutoff (its -6 dB point) is at 0.95 × min(input Nyquist, output Nyquist). With 64 zero crossings
/// per side and β = 8.96 (≈ 90 dB stopband) the transition band spans ≈ 0.905 to 0.995 of that Nyquist, so
/// aliasing stays ≈ 90 dB down and the passband is flat to ≈ 0.9 Nyquist. The signal is taken as zero outside
/// the clip, so about 64 samples (at the lower rate) at each end see the filter's edge. Does not handle rate changes over time.
/// </remarks>
public static class Resampler
{
    const double CutoffFraction = 0.95;
    const int ZeroCrossingsPerSide = 64;
    // Kaiser's formula β = 0.1102 (A − 8.7) for an attenuation A of 90 dB.
    const double KaiserBeta = 8.96;
    // Rate pairs needing more phases than this (e.g. 44101 → 24000) interpolate linearly between this many phases,
    // which errs by about 1e-6 of the kernel's peak (≈ -120 dB) and keeps the table cheap to build.
    const int MaxPhases = 512;

    /// <summary>Resamples to <paramref name="targetSampleRate"/>; the output has round(Length × out / in) samples.</summary>
    /// <returns>The same clip instance when the rates already match.</returns>
    public static AudioClip Resample(AudioClip clip, int targetSampleRate)
    {
        ArgumentNullException.ThrowIfNull(clip);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetSampleRate);
        if (clip.SampleRate == targetSampleRate)
        {
            return clip;
        }
        return new AudioClip(Resample([clip.Samples], clip.Length, clip.SampleRate, targetSampleRate), targetSampleRate);
    }

    /// <summary>
    /// Resamples a signal of <paramref name="inputLength"/> samples that arrives as consecutive <paramref name="blocks"/>,
    /// holding only the filter's span of input at a time, so a long file need not be in memory at its own rate.
    /// The output equals <see cref="Resample(AudioClip, int)"/> of the joined blocks bit for bit, however they are cut.
    /// </summary>
    /// <exception cref="ArgumentException">The blocks hold fewer or more than <paramref name="inputLength"/> samples.</exception>
    public static float[] Resample(IEnumerable<ReadOnlyMemory<float>> blocks, long inputLength, int inputRate, int outputRate)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        ArgumentOutOfRangeException.ThrowIfNegative(inputLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputRate);
        var bank = new PolyphaseBank(inputRate, outputRate);
        var output = new float[OutputLength(inputLength, inputRate, outputRate)];
        var scratch = new float[bank.TapCount];
        using var input = new SlidingInput(blocks, inputLength);
        for (var n = 0; n < output.Length; n++)
        {
            // Output sample n sits at input time n·M/L = whole + phase/L.
            var position = n * (long)bank.Down;
            var whole = position / bank.Up;
            var taps = bank.TapsFor((int)(position % bank.Up), scratch);
            var first = whole - bank.HalfTaps + 1;
            output[n] = Convolve(input.Window(first, taps.Length), first, inputLength, taps);
        }
        input.RequireExhausted();
        return output;
    }

    static int OutputLength(long inputLength, int inputRate, int outputRate)
    {
        var length = (inputLength * outputRate * 2 + inputRate) / (inputRate * 2L);
        if (length > Array.MaxLength)
        {
            throw new ArgumentException($"{inputLength} samples at {inputRate} Hz are {length} at {outputRate} Hz, more than one clip can hold.");
        }
        return (int)length;
    }

    /// <summary>
    /// Σ input[first + k]·taps[k] over the taps inside the signal; <paramref name="window"/> holds input[max(0, first) …],
    /// up to the end of the taps or of the signal. The signal is zero outside [0, length).
    /// </summary>
    static float Convolve(ReadOnlySpan<float> window, long first, long length, ReadOnlySpan<float> taps)
    {
        if (first >= 0 && first + taps.Length <= length)
        {
            return Dot(window[..taps.Length], taps);
        }
        var sum = 0f;
        var start = (int)Math.Max(0, -first);
        var end = (int)Math.Min(taps.Length, length - first);
        for (var k = start; k < end; k++)
        {
            sum += window[k - start] * taps[k];
        }
        return sum;
    }

    static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var vectorsA = MemoryMarshal.Cast<float, Vector<float>>(a);
        var vectorsB = MemoryMarshal.Cast<float, Vector<float>>(b);
        var partial = Vector<float>.Zero;
        for (var k = 0; k < vectorsA.Length; k++)
        {
            partial += vectorsA[k] * vectorsB[k];
        }
        var sum = Vector.Sum(partial);
        for (var k = vectorsA.Length * Vector<float>.Count; k < a.Length; k++)
        {
            sum += a[k] * b[k];
        }
        return sum;
    }

    /// <summary>The filter sampled at each output phase: row p holds h(p/L − k) for k = −H+1 … H, normalised to unit DC gain.</summary>
    sealed class PolyphaseBank
    {
        readonly float[][] rows;

        public PolyphaseBank(int inputRate, int outputRate)
        {
            var divisor = GreatestCommonDivisor(inputRate, outputRate);
            Up = outputRate / divisor;
            Down = inputRate / divisor;
            // Cycles per input sample.
            var cutoff = CutoffFraction * 0.5 * Math.Min(inputRate, outputRate) / inputRate;
            var halfWidth = ZeroCrossingsPerSide / (2 * cutoff);
            HalfTaps = (int)Math.Ceiling(halfWidth);
            TapCount = 2 * HalfTaps;
            var phases = Math.Min(Up, MaxPhases);
            // One extra row (fraction 1) lets interpolation between table rows reach the next whole sample.
            rows = new float[phases + 1][];
            for (var p = 0; p <= phases; p++)
            {
                rows[p] = KernelRow((double)p / phases, cutoff, halfWidth);
            }
        }

        /// <summary>Upsampling factor L of the reduced ratio L/M.</summary>
        public int Up { get; }

        /// <summary>Downsampling factor M of the reduced ratio L/M.</summary>
        public int Down { get; }

        public int HalfTaps { get; }

        public int TapCount { get; }

        public ReadOnlySpan<float> TapsFor(int phase, float[] scratch)
        {
            var tablePhases = rows.Length - 1;
            var scaled = phase * (long)tablePhases;
            var row = (int)(scaled / Up);
            var remainder = scaled % Up;
            if (remainder == 0)
            {
                return rows[row];
            }
            var weight = (float)((double)remainder / Up);
            var below = rows[row];
            var above = rows[row + 1];
            for (var k = 0; k < scratch.Length; k++)
            {
                scratch[k] = below[k] + weight * (above[k] - below[k]);
            }
            return scratch;
        }

        float[] KernelRow(double fraction, double cutoff, double halfWidth)
        {
            var row = new double[TapCount];
            var sum = 0.0;
            for (var i = 0; i < TapCount; i++)
            {
                var offset = i - HalfTaps + 1;
                row[i] = WindowedSinc(fraction - offset, cutoff, halfWidth);
                sum += row[i];
            }
            return Array.ConvertAll(row, v => (float)(v / sum));
        }
    }

    static double WindowedSinc(double t, double cutoff, double halfWidth)
    {
        if (Math.Abs(t) >= halfWidth)
        {
            return 0;
        }
        var x = 2 * cutoff * t;
        var sinc = x == 0 ? 1 : Math.Sin(Math.PI * x) / (Math.PI * x);
        var r = t / halfWidth;
        var window = SpecialFunctions.BesselI0(KaiserBeta * Math.Sqrt(1 - r * r)) / SpecialFunctions.BesselI0(KaiserBeta);
        return 2 * cutoff * sinc * window;
    }

    static int GreatestCommonDivisor(int a, int b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }
        return a;
    }
}
