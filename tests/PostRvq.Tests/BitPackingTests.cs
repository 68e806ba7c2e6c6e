using PostRvq.Codecs;

namespace PostRvq.Tests;

public class BitPackingTests
{
    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    [InlineData(5, 3)]
    [InlineData(16, 4)]
    [InlineData(17, 5)]
    [InlineData(1000, 10)]
    [InlineData(1024, 10)]
    [InlineData(1025, 11)]
    [InlineData(65536, 16)]
    [InlineData(1L << 32, 32)]
    public void BitsForIsTheCeilingOfLog2(long size, int bits) => Assert.Equal(bits, BitPacking.BitsFor(size));

    [Fact]
    public void CodesAreLsbFirstAndFrameInterleaved()
    {
        // Frame 0: 5 in 3 bits then 17 in 5 bits fill byte 0 (5 | 17 << 3); frame 1 (2, 0) fills byte 1.
        var packed = BitPacking.Pack([5, 17, 2, 0], [3, 5]);
        Assert.Equal(new byte[] { 5 | 17 << 3, 2 }, packed);
        // A 10-bit code straddles bytes: its low 8 bits first, then its top 2 bits.
        Assert.Equal(new byte[] { 0xFF, 0x02 }, BitPacking.Pack([0x2FF], [10]));
    }

    [Fact]
    public void MixedWidthsRoundTripInTheFewestBytes()
    {
        int[] bits = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
        var random = new Random(1);
        var codes = Enumerable.Range(0, 7 * bits.Length).Select(i => random.NextInt64(1L << bits[i % bits.Length])).ToArray();
        var packed = BitPacking.Pack(codes, bits);
        Assert.Equal((7 * bits.Sum() + 7) / 8, packed.Length);
        Assert.Equal(codes, BitPacking.Unpack(packed, bits, 7));
    }

    [Fact]
    public void RandomCodebookSizesRoundTrip()
    {
        var random = new Random(7);
        for (var trial = 0; trial < 300; trial++)
        {
            var streams = random.Next(1, 9);
            // Any size, including ones that are not powers of two (5 levels, 1000 entries), takes ⌈log2 size⌉ bits.
            var sizes = Enumerable.Range(0, streams).Select(_ => trial % 10 == 0 ? random.NextInt64(1, 1L << 32) : random.Next(1, 70000)).ToArray();
            var bits = sizes.Select(BitPacking.BitsFor).ToArray();
            var frames = random.Next(0, 40);
            var codes = Enumerable.Range(0, frames * streams).Select(i => random.NextInt64(sizes[i % streams])).ToArray();
            var packed = BitPacking.Pack(codes, bits);
            Assert.Equal(BitPacking.PackedBytes(frames, bits), packed.Length);
            Assert.Equal((frames * bits.Sum() + 7) / 8, packed.Length);
            Assert.Equal(codes, BitPacking.Unpack(packed, bits, frames));
        }
    }

    [Fact]
    public void LargestCodesOfEachWidthSurvive()
    {
        var bits = Enumerable.Range(0, 33).ToArray();
        var codes = bits.Select(b => (1L << b) - 1).ToArray();
        Assert.Equal(codes, BitPacking.Unpack(BitPacking.Pack(codes, bits), bits, 1));
    }

    [Fact]
    public void CodesThatDoNotFitTheirWidthAreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BitPacking.Pack([8, 0], [3, 1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => BitPacking.Pack([-1], [4]));
        Assert.Throws<ArgumentOutOfRangeException>(() => BitPacking.Pack([1], [0]));
        Assert.Throws<ArgumentException>(() => BitPacking.Pack([1, 2, 3], [2, 2]));
    }

    [Fact]
    public void UnpackRefusesAWrongByteCount()
    {
        var packed = BitPacking.Pack([1, 2, 3, 4], [5, 5]);
        Assert.Throws<ArgumentException>(() => BitPacking.Unpack(packed.AsSpan(0, packed.Length - 1), [5, 5], 2));
        Assert.Throws<ArgumentException>(() => BitPacking.Unpack([.. packed, 0], [5, 5], 2));
    }
}
