namespace PostRvq.Tests;

/// <summary>Compares decoded audio up to float rounding.</summary>
static class SampleAssert
{
    /// <summary>
    /// Same length and every sample within <paramref name="tolerance"/>. Exact equality is too strict: tests of other
    /// classes run in parallel and set libtorch's thread count, and a convolution summed over another split of threads
    /// rounds differently in the last bits.
    /// </summary>
    public static void Close(float[] expected, float[] actual, float tolerance = 1e-5f)
    {
        Assert.Equal(expected.Length, actual.Length);
        var largest = expected.Zip(actual, (e, a) => Math.Abs(e - a)).DefaultIfEmpty(0f).Max();
        Assert.True(largest <= tolerance, $"largest sample difference {largest:G3} exceeds {tolerance:G3}");
    }
}
