namespace PostRvq.Audio;

/// <summary>
/// Refuses a file's samples that are not audio, block by block as they are decoded: NaN or infinite samples at once,
/// and a peak beyond ±<see cref="AudioFile.MaxSampleMagnitude"/> once every block has been seen.
/// </summary>
sealed class SampleRangeCheck(string path)
{
    long seen;
    long peakIndex;
    float peak;

    /// <summary>Checks the next block of the file's samples and passes it on.</summary>
    /// <exception cref="AudioFormatException">A sample is NaN or infinite.</exception>
    public ReadOnlyMemory<float> Check(ReadOnlyMemory<float> block)
    {
        var samples = block.Span;
        for (var i = 0; i < samples.Length; i++)
        {
            if (!float.IsFinite(samples[i]))
                throw new AudioFormatException(path, $"sample {seen + i} is {samples[i]} (NaN or infinite samples are not audio)");
            if (Math.Abs(samples[i]) > Math.Abs(peak))
            {
                peak = samples[i];
                peakIndex = seen + i;
            }
        }
        seen += samples.Length;
        return block;
    }

    /// <summary>Refuses the file if its peak, over every block checked, is beyond the limit.</summary>
    /// <exception cref="AudioFormatException">The peak sample is beyond ±<see cref="AudioFile.MaxSampleMagnitude"/>.</exception>
    public void RequirePeakInRange()
    {
        if (Math.Abs(peak) > AudioFile.MaxSampleMagnitude)
            throw new AudioFormatException(path,
                $"the peak sample is {peak:G4} (sample {peakIndex}), beyond ±{AudioFile.MaxSampleMagnitude}; audio should lie in [-1, 1], so rescale the file");
    }
}
